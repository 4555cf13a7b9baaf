"""Writes tests/fixtures/import/jobs.xlsx, the spreadsheet fixture of
tests/import_xlsx.rs (openpyxl; run: .venv/bin/python tests/reference/make_xlsx.py).

Sheet "README" first (so that the mapping must name the sheet), then sheet
"Job": a title row and a blank row above the header on row 3, dates as
Excel dates in a Japanese date format (yyyy"年"m"月"d"日") and as era
text, grades as numbers, one unknown code in cell E7.
"""
import datetime
from openpyxl import Workbook

wb = Workbook()
ws = wb.active
ws.title = "README"
ws["A1"] = "人事異動履歴 (exported 2025-04-01)"
job = wb.create_sheet("Job")
job["A1"] = "人事異動履歴"
job.append([])
job.append(["社員番号", "性別", "発令日", "等級", "雇用形態", "週所定労働時間", "役職"])
rows = [
    ["00101", "女性", datetime.date(2019, 4, 1), 1, "正社員", 40, 0],
    ["00101", None, "令和4年4月1日", 2, "正社員", 40, 1],
    ["00102", "男性", datetime.date(2020, 4, 1), 1, "正社員", 40, 0],
    ["00102", None, datetime.date(2023, 10, 1), 1, "嘱託", 30, 0],
]
for r in rows:
    job.append(r)
for row in job.iter_rows(min_row=4, max_row=job.max_row, min_col=3, max_col=3):
    for c in row:
        if isinstance(c.value, datetime.date):
            c.number_format = 'yyyy"年"m"月"d"日"'
wb.save("tests/fixtures/import/jobs.xlsx")
