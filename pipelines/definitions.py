"""What ``dagster dev`` loads: the assets and their checks, the resources, the ``refresh`` job, its daily
schedule and the sensor that starts it when a source changed."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job

from pipelines.assets import ASSETS, CHECKS
from pipelines.resources import default_resources
from pipelines.sensors import sources_changed_sensor

# AssetSelection.all(), not "*": the string is parsed with a beta parameter, a BetaWarning on every load.
refresh_job = define_asset_job("refresh", selection=AssetSelection.all(),
                               description="fetch → parse → versions → references → snapshot")

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[refresh_job],
    schedules=[ScheduleDefinition(job=refresh_job, cron_schedule="0 3 * * *", execution_timezone="UTC")],
    sensors=[sources_changed_sensor(refresh_job)],
    resources=default_resources(),
)
