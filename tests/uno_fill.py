"""Fill, edit, recalculate and save workbooks with a real LibreOffice, through its UNO bridge.

Run by the system Python that has ``uno`` (python3-uno), not the project's venv:
    /usr/bin/python3 tests/uno_fill.py jobs.json
jobs.json is a list of {"src", "dst", "ops": [[op, ...], ...], "ods": optional path, "pdf": optional path}
("ods" saves the same document in LibreOffice's own format too, as a coordinator choosing .ods would).
Ops (cell addresses like "H14", rows 1-based like the user sees them):
    ["value", "H14", 1367]      type a number
    ["string", "H14", "1,367"]  type text (a user typing into a text-formatted cell)
    ["type", "H14", "90%"]      type into the cell as a user does (Calc's number recognition: 90% becomes 0.9
                                shown as a %, 6/30/2020 a date, 12:30 a time, TRUE a boolean; en-US locale)
    ["rich", "O14", ["a", "b"]] a text of runs, every second one bold (rich text)
    ["formula", "M14", "=1+1"]  type a formula
    ["clear", "M14"]            delete the cell's content (a deleted formula)
    ["unprotect"] / ["protect"] sheet protection off/on (empty password)
    ["date1904"]                the document counts days from 1-jan-1904 (Tools > Options > Calc > Calculate)
    ["insert_row", 17] / ["delete_row", 17]
One LibreOffice process serves the whole list (starting it is the slow part).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


def start():
    profile = tempfile.mkdtemp(prefix="poaxl-lo-")
    pipe = f"poaxl{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={url(profile)}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            formatter = ctx.ServiceManager.createInstanceWithContext("com.sun.star.util.NumberFormatter", ctx)
            return proc, desktop, formatter
        except Exception:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("LibreOffice did not start")


def typed(doc, formatter, cell, text):
    """What Calc's input line makes of a typed text: the number its formatter recognises, shown with the
    format it detects (90% -> 0.9 as 0%, 6/30/2020 -> a date, TRUE -> a boolean), or else the text.
    (Dispatching .uno:EnterString does the same but crashes LibreOffice 7 on closing after a few cells.)"""
    formatter.attachNumberFormatsSupplier(doc)
    try:
        key = formatter.detectNumberFormat(0, text)
        value = formatter.convertStringToNumber(0, text)
    except Exception:  # not a number in any format: a text
        cell.setString(text)
        return
    cell.setValue(value)
    if key:
        cell.NumberFormat = key


def run_job(desktop, formatter, job):
    doc = desktop.loadComponentFromURL(url(job["src"]), "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByIndex(0)
    for op in job.get("ops", []):
        name = op[0]
        if name == "unprotect":
            sheet.unprotect("")
        elif name == "protect":
            sheet.protect("")
        elif name == "date1904":
            day = uno.createUnoStruct("com.sun.star.util.Date")
            day.Year, day.Month, day.Day = 1904, 1, 1
            doc.NullDate = day
        elif name == "insert_row":
            sheet.Rows.insertByIndex(op[1] - 1, 1)
        elif name == "delete_row":
            sheet.Rows.removeByIndex(op[1] - 1, 1)
        else:
            cell = sheet.getCellRangeByName(op[1])
            if name == "value":
                cell.setValue(op[2])
            elif name == "string":
                cell.setString(op[2])
            elif name == "formula":
                cell.setFormula(op[2])
            elif name == "clear":
                cell.setString("")
            elif name == "type":
                typed(doc, formatter, cell, op[2])
            elif name == "rich":
                text = cell.getText()
                cell.setString("")
                for n, run in enumerate(op[2]):
                    text.insertString(text.getEnd(), run, False)
                    cursor = text.createTextCursorByRange(text.getEnd())
                    cursor.goLeft(len(run), True)  # the run just written
                    cursor.CharWeight = 150.0 if n % 2 else 100.0
    doc.calculateAll()
    if job.get("dst"):
        doc.storeToURL(url(job["dst"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    if job.get("ods"):
        doc.storeToURL(url(job["ods"]), (prop("FilterName", "calc8"),))
    if job.get("pdf"):
        doc.storeToURL(url(job["pdf"]), (prop("FilterName", "calc_pdf_Export"),))
    doc.close(True)


def main():
    jobs = json.load(open(sys.argv[1]))
    proc, desktop, formatter = start()
    try:
        for job in jobs:
            run_job(desktop, formatter, job)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
