"""events.csv and sources.csv opened in LibreOffice Calc, headless.

LibreOffice converts each file to .xlsx, which openpyxl reads back with each
cell's type: a cell that Calc took for a formula has type "f". The import
names the CSV dialect and UTF-8, as a user does in Calc's Text Import dialog.
"""

import csv
import datetime as dt
import math
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from expected import has_hangul

pytestmark = pytest.mark.libreoffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Comma, double quote, UTF-8 (76), from line 1: Calc's Text Import dialog
# with the character set set to UTF-8. Without a character set, headless
# Calc 7.4 reads the file as Windows-1252, BOM or not.
CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76,1"
EDTF_COLUMNS = {"start", "end", "published", "accessed"}
TIMEOUT = 240


@pytest.fixture(scope="module")
def convert(tmp_path_factory):
    """Returns convert(dir): the sheets of dir/events.csv and dir/sources.csv
    as Calc reads them, as lists of rows of openpyxl cells."""
    if not SOFFICE:
        pytest.skip("LibreOffice not found (soffice): apt-get install libreoffice-calc-nogui")
    # A private profile, so that parallel runs and a user's Calc don't clash.
    profile = tmp_path_factory.mktemp("lo-profile")
    cache = {}

    def convert(src: Path):
        if src in cache:
            return cache[src]
        outdir = tmp_path_factory.mktemp("lo-out")
        csvs = [src / "events.csv", src / "sources.csv"]
        cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               f"--infilter={CSV_FILTER}", "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, csvs)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        sheets = {}
        for c in csvs:
            x = outdir / (c.stem + ".xlsx")
            assert x.exists(), f"soffice wrote no {x.name} (exit {p.returncode}):\n{p.stdout}\n{p.stderr}"
            wb = openpyxl.load_workbook(x, read_only=True)
            sheets[c.stem] = [list(r) for r in wb.active.iter_rows()]
            wb.close()
        cache[src] = sheets
        return sheets

    return convert


def _csv_rows(path: Path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _pairs(convert, out, name):
    """(header, column, CSV cell, Calc cell) for every cell of a file."""
    sheet = convert(out.dir)[name]
    rows = _csv_rows(out.path(name + ".csv"))
    assert len(sheet) == len(rows), f"{name}: Calc shows {len(sheet)} rows, the file has {len(rows)}"
    header = rows[0]
    assert [c.value for c in sheet[0]] == header
    for got, want in zip(sheet[1:], rows[1:]):
        cells = list(got) + [None] * (len(want) - len(got))
        for col, w, g in zip(header, want, cells):
            yield col, w, g


@pytest.mark.parametrize("name", ["events", "sources"])
def test_no_formula(convert, csv_out, name):
    formulas = [(col, g.value) for col, _, g in _pairs(convert, csv_out, name)
                if g is not None and g.data_type == "f"]
    assert not formulas, f"Calc made formulas of {len(formulas)} cells: {formulas[:5]}"


def _value(g):
    return None if g is None else g.value


@pytest.mark.parametrize("name", ["events", "sources"])
def test_text_unchanged(convert, csv_out, name):
    # Calc stores a line break in a cell as LF, so CR LF and a lone CR inside
    # a value come back as LF; everything else must be as in the file.
    types = csv_out.csv_types(name)
    diffs, hangul = [], 0
    for col, want, g in _pairs(convert, csv_out, name):
        if types[col] != "string" or col in EDTF_COLUMNS:
            continue
        got = _value(g)
        want = want.replace("\r\n", "\n").replace("\r", "\n")
        if (got or "") != want:
            diffs.append((col, want, got))
        elif has_hangul(want):
            hangul += 1
    assert not diffs, f"{len(diffs)} text cells differ in Calc: {diffs[:5]}"
    if csv_out.name != "seed":
        assert hangul > 0, "no Korean text was compared"


def test_numbers_and_dates(convert, csv_out):
    types = csv_out.csv_types("events") | csv_out.csv_types("sources")
    diffs = []
    for name in ("events", "sources"):
        for col, want, g in _pairs(convert, csv_out, name):
            got, t = _value(g), types[col]
            if want == "" or t == "string":
                continue
            ok = {
                "date": lambda: isinstance(got, dt.datetime) and got.date() == dt.date.fromisoformat(want),
                # Calc keeps 15 significant digits, as spreadsheets do.
                "number": lambda: isinstance(got, (int, float)) and math.isclose(got, float(want), rel_tol=1e-14),
                "integer": lambda: isinstance(got, int) and got == int(want),
            }[t]()
            if not ok:
                diffs.append((name, col, want, got))
    assert not diffs, f"Calc shows {len(diffs)} numbers or dates differently: {diffs[:5]}"


def test_edtf_dates(convert, csv_out, request):
    # Calc takes 2024-11-14 for a date and 2024 for a number, which still
    # show the same; it would take 1995% (year, uncertain and approximate)
    # for a percentage, 19.95, so the writer guards it with a leading '.
    diffs = []
    for name in ("events", "sources"):
        for col, want, g in _pairs(convert, csv_out, name):
            if col not in EDTF_COLUMNS or want == "":
                continue
            got = _value(g)
            if isinstance(got, dt.datetime):
                ok = re.fullmatch(r"\d{4}-\d\d-\d\d", want) and got.date() == dt.date.fromisoformat(want)
            elif isinstance(got, int):
                ok = re.fullmatch(r"\d{4}", want) and got == int(want)
            else:
                ok = got == want
            if not ok:
                diffs.append((name, col, want, got))
    assert not diffs, f"Calc shows {len(diffs)} EDTF dates as other values: {diffs[:5]}"


def test_control_raw_csv_runs_formulas(convert, crafted_raw):
    # The check has teeth: written with -raw-csv, without the guard, the same
    # cells do become formulas in Calc.
    sheet = convert(crafted_raw)["events"]
    formulas = [c.value for row in sheet for c in row if c.data_type == "f"]
    assert formulas, "Calc ran no formula from the unguarded file: the no-formula check proves nothing"
