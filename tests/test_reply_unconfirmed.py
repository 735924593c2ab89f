"""A reply interrupted inside the SMTP transaction (collect killed after DATA, before the server's answer
was recorded) is «sin confirmar»: a rerun says it may or may not have arrived and never sends it on its own;
`collect --resend-unconfirmed` sends it once more, saying it may be a second copy. Real Dovecot, real
aiosmtpd, a real process killed by the server."""
from __future__ import annotations

import json
import signal
import subprocess
import sys

from aiosmtpd.controller import Controller
from click.testing import CliRunner

from conftest import apply_openpyxl, on_plan_ops
from test_collect import COORD_003, CURRENT_003, KillOnData, Office, reply_from, server  # noqa: F401
from test_mail import cert, free_port  # noqa: F401
from poaxl.cli import main
from poaxl.collect import LOG_NAME
from poaxl.generate import generate
from poaxl.mail import read_log


def test_unconfirmed_reply_is_sent_again_only_when_asked(server, tmp_path, cert, catalog):  # noqa: F811
    form = apply_openpyxl(generate(["003"], out=tmp_path / "tpl", catalog=catalog)[0], tmp_path / CURRENT_003,
                          on_plan_ops(catalog, "003"))
    handler, port = KillOnData(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        office = Office(server, lambda: (handler, port), tmp_path, cert)
        office.deliver(reply_from(COORD_003, form))
        handler.process = subprocess.Popen([sys.executable, "-m", "poaxl", "collect", "--out", str(office.out)],
                                           env=office.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        handler.process.wait(timeout=120)
        assert handler.process.returncode == -signal.SIGKILL and len(handler.messages) == 1
        handler.process = None

        rerun = office.collect()
        [item] = rerun.messages
        assert item.reply == "sin confirmar" and len(handler.messages) == 1  # never re-sent on its own
        assert item.reason == ("el proceso se interrumpió mientras se enviaba la respuesta: pudo llegar al "
                               "coordinador o no. No se envía de nuevo sola, para no duplicarla; para enviarla "
                               "otra vez use poaxl collect --resend-unconfirmed.")
        assert office.collect().messages == [] and len(handler.messages) == 1
        shown = CliRunner().invoke(main, ["status", "--out", str(office.out)]).output
        assert ("1 respuesta(s) sin confirmar: pudieron llegar o no; para enviarlas de nuevo use poaxl collect "
                "--resend-unconfirmed.") in shown

        result = CliRunner().invoke(main, ["collect", "--out", str(office.out), "--resend-unconfirmed",
                                           "--format", "json"], env=office.env())
        assert result.exit_code == 0, result.output
        [again] = json.loads(result.output)["messages"]
        assert again["reply"] == "enviada" and len(handler.messages) == 2
        (_, first), (rcpts, second) = handler.messages
        assert COORD_003 in rcpts and second["In-Reply-To"] == first["In-Reply-To"]  # the same thread
        body = second.get_body(("plain",)).get_content()
        assert ("Nota: es posible que ya haya recibido esta respuesta: una interrupción impidió confirmar su envío. "
                "Si ya la tiene, ignore esta copia.") in body
        assert "RECIBIDO Y CORRECTO" in body
        assert [e["result"] for e in read_log(office.out / LOG_NAME) if e.get("event") == "respuesta"][-1] == "enviada"

        assert office.collect(resend_unconfirmed=True).messages == [] and len(handler.messages) == 2  # once
        rows = json.loads(CliRunner().invoke(main, ["status", "--out", str(office.out), "--format", "json"]).output)
        assert next(r for r in rows["units"] if r["unit"] == "003")["reply_result"] == "enviada"
        assert "sin confirmar" not in CliRunner().invoke(main, ["status", "--out", str(office.out)]).output
    finally:
        controller.stop()
