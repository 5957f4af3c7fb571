"""``bounty fit``: have the server fit a model for a group, without code, wait for it, show the check
it estimates on held-out train rows and, with ``--submit``, submit it (``--wait``: and its decision)."""

from __future__ import annotations

import time
from typing import Any

from bounty_client import output
from bounty_client.commands import FAILED, OK, Ctx, _decided, _wait
from bounty_client.session import poll_delays

FAMILIES = ("gradient_boosting", "decision_tree", "logistic_regression")


def add_fit_parser(sub: Any, common: Any) -> None:
    fit = sub.add_parser("fit", parents=[common], help="have the server fit a model for a group (no code)",
                         description=__doc__.splitlines()[0])  # fmt: skip
    fit.set_defaults(handler=run)
    fit.add_argument("slug")
    fit.add_argument("--group", metavar="TEXT", required=True, help='the group, e.g. "age >= 60"')
    fit.add_argument(
        "--family", choices=FAMILIES, default="gradient_boosting", help="the model (default boosting)"
    )
    fit.add_argument(
        "--setting", default="", help="its setting: size, depth or regularization (default medium)"
    )
    fit.add_argument("--submit", action="store_true", help="submit the fitted model with its group")
    fit.add_argument("--wait", action="store_true", help="with --submit: wait for the decision")
    fit.add_argument(
        "--timeout", type=float, default=600.0, metavar="SECONDS", help="stop waiting (default 600)"
    )
    fit.add_argument(
        "--poll", type=float, default=1.0, metavar="SECONDS", help="the longest wait between polls"
    )


def run(ctx: Ctx) -> int:
    args, client = ctx.args, ctx.session().client
    job = client.fit(args.slug, group_text=args.group, family=args.family, setting=args.setting)
    ctx.note(f"Fitting as {job['id']}; waiting for the worker (Ctrl-C stops waiting).")
    deadline = time.monotonic() + args.timeout
    for delay in poll_delays(args.poll):
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(delay)
        job = client.fitted(int(job["id"]))
    if job["status"] != "done":
        ctx.emit(job, f"The model was not fitted: {job.get('error') or job['status']}.")
        return FAILED
    if not args.submit:
        ctx.emit(job, f"{fitted_text(job)}\nSubmit it with: bounty fit ... --submit, or on the site.")
        return OK
    submission = client.submit_fitted(int(job["id"]))
    if not args.wait:
        ctx.emit({**job, "submission": submission}, f"{fitted_text(job)}\nSubmitted as {submission['id']}.")
        return OK
    ctx.note(f"{fitted_text(job)}\nSubmitted as {submission['id']}; waiting for the decision.")
    return _decided(ctx, _wait(ctx, client, int(submission["id"])))


def fitted_text(job: dict[str, Any]) -> str:
    e = job["estimate"]
    verdict = (
        "would be ACCEPTED" if e["accepted"] else f"would be REJECTED: {output.reason_text(e['reason'])}"
    )
    rows = [
        ("group", job["group_text"]),
        ("model", f"{job['family'].replace('_', ' ')}, {job['setting']}"),
        ("mass (share of rows)", f"{e['mass']:.4f}"),
        ("loss of base model on g", f"{e['loss_current']:.6f}"),
        ("loss of the model on g", f"{e['loss_h']:.6f}"),
        ("gain", f"{e['gain']:.6f}"),
        ("margin", f"{e['margin']:.6f}"),
    ]
    note = (f"Estimated on {e['estimate_rows']:,} held-out train rows by a model fitted on the other rows; "
            f"on them the pair {verdict}. {output.HOLDOUT_NOTE}")  # fmt: skip
    return f"{output.pairs(rows)}\n\n{note}"
