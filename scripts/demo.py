"""The main job on the bundled example plan, in a new folder that is left to look around in.

Creates a plan repository from plan-template, changes it on a branch, and shows the
result with trackplan's own commands. Run with `make demo`, or `python scripts/demo.py FOLDER`.
Each step is one function whose docstring's first line says why; `main` runs them with `step`.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

TRACKPLAN = [sys.executable, "-m", "trackplan"]
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
}


AVO_EXPORT = """{
  "name": "Exported Tracking Plan: main",
  "events": [
    {"id": "evt_cart_viewed", "name": "Cart Viewed", "description": "The cart was opened.",
     "tags": ["checkout"], "sources": [{"id": "s1", "name": "web"}],
     "stakeholderDomains": [{"id": "d1", "name": "Payments", "isOwner": true}],
     "rules": {"properties": {"properties": {"type": "object",
       "properties": {"cart_value": {"type": "number", "description": "Cart total."},
                      "currency": {"type": "string", "description": "ISO 4217 currency code."}},
       "required": ["cart_value"]}}}},
    {"id": "evt_signed_up", "name": "Signed Up", "description": "A visitor created an account.",
     "rules": {"properties": {"properties": {"type": "object",
       "properties": {"signup_method": {"type": "string", "enum": ["email", "google", "apple", "sso"]}}}}}}
  ]
}
"""


PAYLOADS = """\
{"type": "track", "event": "Cart Viewed", "properties": {"cart_value": 42.5, "currency": "EUR"}}
{"type": "track", "event": "Cart Viewed", "properties": {"currency": "EUR"}}
{"event_type": "Signed Up", "event_properties": {"signup_method": "sso"}, "user_properties": {"plan": "pro"}}
{"type": "track", "event": "Unknown Thing", "properties": {}}
"""


def run(*args: str, cwd: Path) -> None:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"\n$ {shown}", flush=True)
    command = [*TRACKPLAN, *args[1:]] if args[0] == "trackplan" else list(args)
    result = subprocess.run(command, cwd=cwd, env=ENV, check=False)
    if result.returncode not in (0, 1):  # 1: findings, which the demo shows on purpose
        raise SystemExit(f"demo step failed with exit code {result.returncode}: {shown}")


def step(action: Callable[[Path, Path], None], plan: Path, work: Path) -> None:
    """Print the first line of the step's docstring, its reason, then run it."""
    why = (action.__doc__ or "").strip().splitlines()[0]
    print(f"\n# {why}", flush=True)
    action(plan, work)


def create_plan(plan: Path, work: Path) -> None:
    """A new plan repository from the bundled template, and the events it holds."""
    run("trackplan", "init", str(plan), "--name", "Acme shop", cwd=work)
    run("trackplan", "events", cwd=plan)


def change_an_event(plan: Path, work: Path) -> None:
    """A plan change, committed with plain git, so there is an older ref to look at."""
    event = plan / "events" / "checkout-completed.yaml"
    text = event.read_text().replace(
        "  coupon:\n",
        "  shipping_method:\n    type: string\n    description: Chosen shipping option.\n"
        "    enum: [standard, express]\n  coupon:\n",
    )
    event.write_text(text)
    run("git", "commit", "-q", "-am", "Add shipping_method to Checkout Completed", cwd=plan)
    run("trackplan", "show", "Checkout Completed", "--ref", "HEAD~1", cwd=plan)
    run("trackplan", "show", "Checkout Completed", "--format", "json", cwd=plan)


def import_avo_export(plan: Path, work: Path) -> None:
    """Import an external plan (Avo's JSON export shape) into a plan branch: a dry run, the import, a no-op repeat."""
    export = work / "avo-export.json"
    export.write_text(AVO_EXPORT)
    run("trackplan", "import", str(export), "--branch", "import/avo", "--dry-run", cwd=plan)
    run("trackplan", "import", str(export), "--branch", "import/avo", "--method", "addAndUpdate", cwd=plan)
    run("trackplan", "import", str(export), "--branch", "import/avo", "--format", "json", cwd=plan)
    run("trackplan", "events", "--ref", "import/avo", cwd=plan)


def review_the_branch(plan: Path, work: Path) -> None:
    """Review the branch as a pull request would: change sets, breaking changes, versions, payloads, history."""
    run("trackplan", "diff", "main", "import/avo", cwd=plan)
    run("trackplan", "validate", "--ref", "import/avo", cwd=plan)
    run("trackplan", "export", "--ref", "import/avo", "--to", "itly", "--event", "Cart Viewed", cwd=plan)
    payloads = work / "payloads.jsonl"
    payloads.write_text(PAYLOADS)
    run("trackplan", "check", str(payloads), "--ref", "import/avo", cwd=plan)
    run("trackplan", "log", "--ref", "import/avo", cwd=plan)


def shard_the_layout(plan: Path, work: Path) -> None:
    """Large plans spread event files over 256 folders; the events themselves do not change."""
    run("git", "branch", "layout/sharded", "import/avo", cwd=plan)
    run("trackplan", "layout", "sharded", "--branch", "layout/sharded", cwd=plan)
    run("trackplan", "diff", "import/avo", "layout/sharded", cwd=plan)


def merge_two_branches(plan: Path, work: Path) -> None:
    """Two branches add a value to one enum and bump x-version: git alone would conflict, the merge driver merges."""
    event = plan / "events" / "checkout-completed.yaml"
    for branch, value in (("plan/klarna", "klarna"), ("plan/ideal", "ideal")):
        run("git", "checkout", "-q", "-b", branch, "main", cwd=plan)
        text = event.read_text().replace("apple_pay, invoice]", f"apple_pay, invoice, {value}]")
        event.write_text(text.replace("x-version: 2-0-0", "x-version: 2-0-1"))
        run("git", "commit", "-q", "-am", f"Accept {value}", cwd=plan)
    run("git", "merge", "-q", "--no-edit", "plan/klarna", cwd=plan)
    run("trackplan", "show", "Checkout Completed", cwd=plan)
    run("trackplan", "merge", "plan/ideal", "--into", "import/avo", cwd=plan)


def serve_over_http(plan: Path, work: Path) -> None:
    """Avo's Import and Export API scripts work against trackplan serve by changing the host.

    trackplan serve runs on a free loopback port, driven as Avo's API reference's curl examples do.
    """

    def call(method: str, url: str, auth: str, body: bytes | None = None, kind: str = "", gz: bool = False) -> None:
        headers = {"Authorization": auth, **({"Content-Type": kind} if kind else {})}
        headers.update({"Accept-Encoding": "gzip"} if gz else {})
        print(f"\n$ curl -X {method} {url}" + (" -H 'accept-encoding: gzip'" if gz else ""), flush=True)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, body, headers, method=method)) as response:
                status, data, encoding = response.status, response.read(), response.headers.get("Content-Encoding")
        except urllib.error.HTTPError as error:
            status, data, encoding = error.code, error.read(), None
        if encoding == "gzip":
            name = json.loads(gzip.decompress(data))["name"]
            print(f"{status}: {len(data)} bytes gzipped, {len(gzip.decompress(data))} bytes of {name!r}", flush=True)
        else:
            print(f"{status}: {data.decode()[:300]}", flush=True)

    state = str(work / "state")  # outside the plan repository, as the server requires
    command = [*TRACKPLAN, "serve", "--port", "0", "--state-dir", state]
    server = subprocess.Popen(command, cwd=plan, env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        announced = server.stdout.readline().strip()  # workspace ID: http://127.0.0.1:PORT/workspaces/ID/...
        print(f"\n$ trackplan serve --port 0\n{announced}", flush=True)
        branches = announced.split(": ", 1)[1].split("/branches/")[0] + "/branches"
        add = [*TRACKPLAN, "accounts", "add", "demo", "--state-dir", state]
        added = subprocess.run(add, env=ENV, capture_output=True, text=True, check=True).stdout
        print(f"\n$ trackplan accounts add demo\n{added}", end="", flush=True)
        auth = added.splitlines()[2].split(": ", 1)[1]
        run("git", "branch", "api/import", "main", cwd=plan)
        example = b"""{"schema": {"events": {"Button Clicked": {
          "type": "object", "description": "User clicked a button",
          "properties": {"button_name": {"type": "string", "description": "Name of the button",
                                         "enum": ["signup", "login", "checkout"]},
                         "screen": {"type": "string"}},
          "required": ["button_name"]}}}}"""
        csv = (
            b"KPI,Event Category,Event Name,Event Description,Event Property Name,Property Description,"
            b"Property Value Type,Is Property Required?,Is Property Array?,Property Enumeration Options,"
            b"Platforms,Status,Code Snippet\n,,Imported Event I,Event sent when a user clicks the import button. "
            b',,,,,,,"iOS, Android, Web",,'
        )
        call("POST", f"{branches}/api/import/import/v1?importMethod=addAndUpdate", auth, example, "application/json")
        call("GET", f"{branches}/main/export/v1", "Basic ZGVtbzp3cm9uZw==")  # a wrong secret: 401
        time.sleep(1.0)  # one request per second per service account
        call("POST", f"{branches}/main/import/v1", auth, csv, "text/csv")  # the protected main: 403
        call("GET", f"{branches}/api/import/export/v1?payloadFormat=ndjson", auth)  # the same second: 429
        time.sleep(1.0)  # one request per second per service account
        call("GET", f"{branches}/api/import/export/v1", auth, gz=True)
    finally:
        server.terminate()
        server.wait(10)


def refuse_unsafe_writes(plan: Path, work: Path) -> None:
    """Nothing outside the plan is written: each refusal is one line and exit 2."""
    refused = (["export", "-o", ".git/HEAD"], ["export", "-o", "trackplan.yaml"], ["layout", "flat", "--branch", "-f"])
    for args in refused:
        print(f"\n$ trackplan {' '.join(args)}", flush=True)
        result = subprocess.run([*TRACKPLAN, *args], cwd=plan, env=ENV, check=False)
        print(f"(exit {result.returncode})", flush=True)


DEMO_APP = """import { checkoutCompleted, setup } from "./tracking";

const log = (kind: string) => (name: string, data: object) => console.log(kind, name, data);
setup({ transport: { track: log("track"), identify: log("identify"), group: log("group") } });

export function onOrderPlaced(orderId: string, revenue: number): void {
  checkoutCompleted({ order_id: orderId, revenue, currency: "EUR", payment_method: "card" });
}
"""


def generate_typed_code(plan: Path, work: Path) -> None:
    """Typed tracking calls for the web source, type-checked, and which events the app calls."""
    app = work / "app" / "src"
    app.mkdir(parents=True)
    (app / "checkout.ts").write_text(DEMO_APP)
    run("trackplan", "codegen", "--lang", "ts", "--source", "web", "-o", str(app / "tracking.ts"), cwd=plan)
    tsc = Path(__file__).resolve().parents[1] / ".tools" / "typescript" / "node_modules" / ".bin" / "tsc"
    if tsc.exists():
        run(
            str(tsc),
            "--noEmit",
            "--strict",
            "--target",
            "es2020",
            "--module",
            "es2020",
            *map(str, app.glob("*.ts")),
            cwd=plan,
        )
    else:
        print("\n(no TypeScript compiler in .tools/: `make typescript` installs it where node is present)", flush=True)
    run("trackplan", "status", "--lang", "ts", "--source", "web", str(work / "app"), cwd=plan)


def subscribe_and_publish(plan: Path, work: Path) -> None:
    """People subscribe to a tracking plan and get a digest of its changes; webhooks get the plan on each merge.

    A local SMTP server and a webhook receiver on loopback start and stop with this step.
    """
    import re
    import socket
    import threading
    from email import message_from_bytes, policy
    from email.message import EmailMessage
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import Envelope

    inbox: list[EmailMessage] = []
    received: list[str] = []  # the delivery id of each attempt

    class Mailbox:
        async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
            data = envelope.original_content or b""
            inbox.append(message_from_bytes(data, _class=EmailMessage, policy=policy.default))
            return "250 OK"

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            received.append(self.headers["X-Trackplan-Delivery"])
            self.send_response(503 if len(received) == 1 else 200)  # the first attempt fails: it is retried
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    def post(url: str, data: bytes, headers: dict[str, str]) -> str:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers)) as answer:
            return f"{answer.status}: {answer.read().decode()}"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    state = str(work / "notify-state")
    env = {**ENV, "TRACKPLAN_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}/?from=trackplan@example.com"}
    env["DEMO_HOOK_SECRET"] = "demo-secret"  # in CI: a repository secret, never in trackplan.yaml
    plan_id = "3f1c2b4a-9d8e-4f7a-8b6c-5d4e3f2a1b0c"
    (plan / "tracking-plans").mkdir(exist_ok=True)
    (plan / "tracking-plans" / "purchase-funnel.yaml").write_text(
        f"id: {plan_id}\nname: Purchase funnel\nstatus: published\neventSpecifications:\n"
        "  - {id: 4a2d3c5b-0e9f-4a8b-9c7d-6e5f4a3b2c1d, name: Paid, event: Checkout Completed}\n"
    )
    settings = plan / "trackplan.yaml"
    settings.write_text(
        settings.read_text() + f"\npublishing:\n  - id: warehouse\n    url: http://127.0.0.1:{hooks.server_port}/hook\n"
        "    format: jsonSchema\n    filters: {tags: [revenue]}\n    secret_env: DEMO_HOOK_SECRET\n"
    )
    run("git", "checkout", "-q", "main", cwd=plan)
    run("git", "add", "tracking-plans", "trackplan.yaml", cwd=plan)
    run("git", "commit", "-q", "-m", "Add the Purchase funnel tracking plan and the warehouse webhook", cwd=plan)
    add = [*TRACKPLAN, "accounts", "add", "dana", "--email", "dana@example.com", "--state-dir", state]
    auth = subprocess.run(add, env=env, capture_output=True, text=True, check=True).stdout.splitlines()[2]
    serve = [*TRACKPLAN, "serve", "--port", "0", "--state-dir", state]
    server = subprocess.Popen(serve, cwd=plan, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        products = [server.stdout.readline().strip() for _ in range(3)][1].split(": ", 1)[1]
        base = products.split("/api/")[0]
        subscriptions = products.replace("/data-products/v2", f"/data-products/v1/{plan_id}/subscriptions")
        body = b'{"reason": "Get notified on breaking changes", "receiveNotifications": true}'
        print(f"\n$ curl -X POST {subscriptions} -d '{body.decode()}'", flush=True)
        print(post(subscriptions, body, {"Authorization": auth.split(": ", 1)[1], "Content-Type": "application/json"}))
        [mail] = inbox
        text = str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        print(f"\n(one mail to {mail['To']}: {mail['Subject']})\n{text}", flush=True)
        link, token = re.findall(r"(http://\S+)\?token=(\S+)", text)[0]
        page = urllib.request.urlopen(f"{link}?token={token}").read().decode()
        print(f"$ curl {link}?token=...  (opening the link shows a Confirm button: {'<button' in page})")
        confirmed = post(link, f"token={token}".encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        print(f"$ (press Confirm)\n{' '.join(re.findall(r'<h1>(.*?)</h1>', confirmed))}", flush=True)
        event = plan / "events" / "checkout-completed.yaml"
        run("git", "checkout", "-q", "-b", "plan/revenue-text", "main", cwd=plan)
        event.write_text(event.read_text().replace("  revenue:\n    type: number", "  revenue:\n    type: string"))
        run("git", "commit", "-q", "-am", "Send revenue as a string", cwd=plan)
        run("git", "checkout", "-q", "main", cwd=plan)
        run("git", "merge", "-q", "--no-ff", "-m", "Merge plan/revenue-text", "plan/revenue-text", cwd=plan)
        env["TRACKPLAN_PUBLIC_URL"] = base
        for args in (["digest", "--print"], ["publish"], ["publish"]):
            print(f"\n$ trackplan {' '.join(args)}", flush=True)
            subprocess.run([*TRACKPLAN, *args, "--state-dir", state], cwd=plan, env=env, check=True)
        print(f"(the webhook saw {len(received)} attempts of one delivery: {set(received) == {received[0]}})")
    finally:
        server.terminate()
        server.wait(10)
        hooks.shutdown()
        smtp.stop()


def share_with_snowplow_cli(plan: Path, work: Path) -> None:
    """A tracking plan goes out as snowplow-cli's data-products folder and back, and names its owners in CODEOWNERS."""
    branch = ("--branch", "plans/snowplow")
    owned = ("--domain", "Payments", "--owner", "@acme/payments")
    run("trackplan", "plans", "create", "Web checkout", *owned, *branch, cwd=plan)
    run("trackplan", "plans", "add-spec", "Web checkout", "--event", "Checkout Completed", *branch, cwd=plan)
    folder = work / "data-products"
    run("trackplan", "export", "--ref", "plans/snowplow", "--to", "snowplow-dp", "-o", str(folder), cwd=plan)
    run("trackplan", "import", str(folder), "--branch", "import/snowplow", cwd=plan)
    run("trackplan", "codeowners", "--ref", "plans/snowplow", cwd=plan)
    print((plan / ".github" / "CODEOWNERS").read_text(), end="")


def publish_a_tracking_plan(plan: Path, work: Path) -> None:
    """A tracking plan of two event specifications, published on a branch; a PR dropping a property is flagged."""
    import re

    branch = ("--branch", "plans/checkout")
    run("trackplan", "plans", "create", "Checkout", "--domain", "Payments", "--owner", "Payments", *branch, cwd=plan)
    paid = ("--spec-name", "Paid order", "--trigger", "Payment authorised")
    run("trackplan", "plans", "add-spec", "Checkout", "--event", "Checkout Completed", *paid, *branch, cwd=plan)
    viewed = ("--event", "Product Viewed", "--spec-name", "Product page")
    run("trackplan", "plans", "add-spec", "Checkout", *viewed, *branch, cwd=plan)
    for spec in ("Paid order", "Product page"):
        run("trackplan", "plans", "status", "Checkout", "published", "--spec", spec, *branch, cwd=plan)
    run("trackplan", "plans", "status", "Checkout", "published", *branch, cwd=plan)
    run("trackplan", "plans", "show", "Checkout", *branch, cwd=plan)
    run("trackplan", "plans", "history", "Checkout", "--order", "asc", *branch, cwd=plan)
    run("git", "checkout", "-q", "-b", "plan/drop-coupon", "plans/checkout", cwd=plan)
    event = plan / "events" / "checkout-completed.yaml"
    event.write_text(re.sub(r"\n  coupon:\n(    .*\n)*", "\n", event.read_text()))
    run("git", "commit", "-q", "-am", "Stop sending coupon", cwd=plan)
    run("git", "checkout", "-q", "main", cwd=plan)
    run("trackplan", "diff", "plans/checkout", "plan/drop-coupon", "--format", "markdown", cwd=plan)


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="trackplan-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    plan = work / "plan"
    step(create_plan, plan, work)
    step(change_an_event, plan, work)
    step(import_avo_export, plan, work)
    step(review_the_branch, plan, work)
    step(shard_the_layout, plan, work)
    step(merge_two_branches, plan, work)
    step(serve_over_http, plan, work)
    step(generate_typed_code, plan, work)
    step(refuse_unsafe_writes, plan, work)
    step(subscribe_and_publish, plan, work)
    step(share_with_snowplow_cli, plan, work)
    step(publish_a_tracking_plan, plan, work)
    trackplan = Path(sys.executable).with_name("trackplan")
    print(f"\nThe demo plan is left in {plan}: cd there and try `{trackplan} events` or `git log --oneline --all`.")


if __name__ == "__main__":
    main()
