"""CSV import of employees and badges: upload, a dry run (what will be created,
changed, disabled; every faulty line and why), then apply as one transaction. The
sites in the file must be sites the caller manages."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.actions import employee_import
from server.console import web
from server.console.auth.access import MANAGE_PEOPLE, Principal
from server.console.deps import Sent, Viewer, actor_of, db_of
from server.console.frame import back, page
from server.repo import directory

router = APIRouter()
MAX_BYTES = 5 * 1024 * 1024


def _show(request: Request, who: Principal, plan: employee_import.Plan | None = None,
          data: bytes = b"", error: str = "", status: int = 200) -> Response:
    with db_of(request).read() as conn:
        sites = {row.id: row.name for row in directory.list_sites(conn)}
    return page(request, who, "people/import.html", status=status, plan=plan, sites=sites,
                file_data=base64.b64encode(data).decode() if data else "", error=error)


@router.get("/import/people")
def form(request: Request, who: Viewer) -> Response:
    who.require(MANAGE_PEOPLE)
    return _show(request, who)


def _data(sent: Sent) -> bytes:
    upload = sent.form.get("file")
    data = upload.file.read(MAX_BYTES + 1) if hasattr(upload, "file") else b""
    if not data and sent.text("file_data"):
        try:
            data = base64.b64decode(sent.text("file_data"), validate=True)
        except (binascii.Error, ValueError):
            data = b""
    return data


@router.post("/import/people")
def dry_run(request: Request, sent: Sent) -> Response:
    who = sent.who
    who.require(MANAGE_PEOPLE)
    _ = web.words(who)
    data = _data(sent)
    if not data or len(data) > MAX_BYTES:
        return _show(request, who, error=_("Choose a CSV file of at most 5 MB."), status=422)
    with db_of(request).read() as conn:
        plan = employee_import.plan_import(conn, data, who.sites(MANAGE_PEOPLE))
    if sent.text("do") != "apply" or plan.errors:
        return _show(request, who, plan, b"" if plan.errors else data,
                     status=422 if plan.errors else 200)
    try:
        with db_of(request).write() as conn:
            plan = employee_import.apply_import(conn, actor_of(who), data,
                                                who.sites(MANAGE_PEOPLE))
    except employee_import.ImportRefused as refused:  # changed since the dry run
        return _show(request, who, refused.plan, status=422)
    return back(f"{web.PREFIX}/people", "imported")
