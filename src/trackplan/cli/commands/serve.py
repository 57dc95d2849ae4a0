"""trackplan serve: the Avo-compatible Import and Export HTTP API over plan repositories."""

from __future__ import annotations

from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import state_dir_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: a free one).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="serve.yaml mapping workspace ids to repositories (default: this plan repository).",
)
@click.option(
    "--digest-hour",
    type=click.IntRange(0, 23),
    default=None,
    help="Mail the subscribers' digest every day at this hour (UTC); needs TRACKPLAN_SMTP_URL.",
)
@state_dir_option()
@pass_context
def command(
    ctx: AppContext, host: str, port: int, config_file: Path | None, digest_hour: int | None, state_dir: Path | None
) -> None:
    """Serve plan repositories over HTTP, as Avo's Import and Export APIs.

    \b
    Examples:
      trackplan accounts add ci --scope import,export
      trackplan serve --port 8080
      curl -H "Authorization: Basic ..." http://127.0.0.1:8080/workspaces/ID/branches/main/export/v1
    """
    from trackplan.serving.config import (
        ServeConfig,
        check_state_dir,
        default_state_dir,
        load_config,
        workspace_from_plan,
    )
    from trackplan.serving.server import serve

    state = check_state_dir(state_dir or default_state_dir())
    if config_file is not None:
        config = load_config(ctx.cwd / config_file, state)
    else:
        workspace = workspace_from_plan(ctx.cwd, ctx.plan_dir)
        config = ServeConfig({workspace.id: workspace}, state)
    serve(config, host, port, click.echo, digest_hour)
