"""What ``dagster dev`` loads: the EUR-Lex assets, their checks, resources, a job and a daily schedule."""

from __future__ import annotations

from dagster import Definitions, ScheduleDefinition, define_asset_job

from pipelines.assets import ASSETS, CHECKS
from pipelines.resources import default_resources

refresh_job = define_asset_job("refresh", selection="*", description="fetch → parse → versions → references → graph")

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[refresh_job],
    schedules=[ScheduleDefinition(job=refresh_job, cron_schedule="0 3 * * *", execution_timezone="UTC")],
    resources=default_resources(),
)
