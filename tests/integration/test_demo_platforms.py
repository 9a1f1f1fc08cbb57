"""The issue's finish line, as an operator sees it: `ggzy demo` on the embedded default runs a
tender whose records arrive, data set by data set and in order, at all three sandbox platforms;
then `ggzy serve` answers an outside SOAP client asking for the tender by its code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import zeep
from zeep.wsse.username import UsernameToken

from tests.live import ROOT, free_port, wait_ready

ORDER = "500 501 502×2 503 506 507×3 509 511 510×3 513 512"


def test_demo_tender_reaches_all_three_platforms_in_order(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    env.update({"GGZY_VAR_DIR": str(tmp_path / "var"), "GGZY_PORT": str(port)})

    def ggzy(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    ggzy("migrate")
    env["GGZY_NEW_PASSWORD"] = "outside-system-password-1"
    ggzy("account", "create", "--username", "fj-platform", "--kind", "system_client")
    out = ggzy("demo")
    assert "platforms       every record delivered" in out, out
    for profile in ("fujian", "shanxi", "national"):
        assert f"  {profile:<9} 16 records: {ORDER}" in out, out
    assert "parked" not in out

    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server, tmp_path / "serve.log")
        # the platforms' ledgers survive the demo: the served peers show the same records
        records = httpx.get(f"{base}/sandbox/national/records", timeout=5).json()["records"]
        assert [r["data_set"] for r in records][:3] == ["500", "501", "502"]
        assert len(records) == 16
        # the winner's project manager reached the platforms (513), but the public opening
        # record reads out no personal identifier
        result = next(r for r in records if r["data_set"] == "513")
        assert len(result["fields"]["PROJECT_LEAD_ID"]) == 18
        section = result["fields"]["BID_SECTION_CODE"]
        public = httpx.get(f"{base}/api/v1/public/sections/{section}/opening-record", timeout=5)
        assert public.status_code == 200 and "project_manager" in public.text
        assert result["fields"]["PROJECT_LEAD_ID"] not in public.text
        assert "project_manager_id" not in public.text

        # an outside system asks for the tender by its code, over SOAP (zeep, from the WSDL)
        client = zeep.Client(f"{base}/ws/soap11/query?wsdl", settings=zeep.Settings(
            strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True),
            wsse=UsernameToken("fj-platform", "outside-system-password-1"))
        answered = client.service.GetResult(SectionCode=section)
        assert answered.Winner.BidderName == result["fields"]["WIN_BIDDER_NAME"]
        assert answered.Winner.BidderCode == result["fields"]["WIN_BIDDER_CODE"]
        project = client.service.GetProject(ProjectCode=records[0]["fields"]["PROJECT_CODE"])
        assert project.Name == records[0]["fields"]["PROJECT_NAME"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
