#!/usr/bin/env bash
# Runs every fuzz target of mommytrack for RUNS executions each (default
# 10 million), seeded from data-samples/, and prints each target's count.
# Not part of CI. Needs cargo-fuzz (installed if missing) and, for the
# Parquet seeds, Python with pyarrow (installed into ../.venv if missing).
#
#   fuzz/run.sh                 # every target, 10M runs each
#   RUNS=100000 fuzz/run.sh parquet mapping
#   MAX_TIME=600 fuzz/run.sh    # at most 10 minutes a target (then the count it reached)
#
# cargo-fuzz needs nightly features; on the stable toolchain they are
# switched on with RUSTC_BOOTSTRAP=1, and --sanitizer none keeps the build
# on stable's own compiler. A crash leaves its input under
# fuzz/artifacts/TARGET/; make it a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
MAX_TIME=${MAX_TIME:-0}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz

S=../data-samples
H=$S/hris
first() { head -n "${2:-40}" "$1"; }
seed() {  # seed TARGET NAME < bytes
  mkdir -p "corpus/$1"
  cat > "corpus/$1/seed-$2"
}
first $S/employees.csv | seed contract_employees samples
first $S/dirty/employees.csv | seed contract_employees dirty
first $S/events.csv 60 | seed contract_events samples
first $S/dirty/events.csv 60 | seed contract_events dirty
first $H/sap/job_information.csv 60 | seed export_history sap
{ first $H/sap/employee_time.csv; printf '\0'; first $H/sap/dependents.csv; } | seed export_leaves_family sap
first $H/snapshots/headcount.csv 60 | seed export_snapshots samples
{ first "$H/japanese/従業員.csv"; printf '\0'; first "$H/japanese/人事異動.csv"; } | seed export_master_cp932 japanese
seed export_xlsx fixture < ../tests/fixtures/import/jobs.xlsx
for m in $H/*/mapping.toml; do seed mapping "$(basename "$(dirname "$m")")" < "$m"; done
seed mapping fixed <<'TOML'
[master]
file = "master.csv"
columns = { employee_id = "id", gender = "sex", hire_date = "hired" }
[[history]]
file = "job.csv"
columns = { employee_id = "id", date = "date", sequence = "seq", event = "ev", status = "status", grade = "grade", responsibility = "level", department = "dept", employment_type = "contract", weekly_hours = "hours" }
[history.codes.event]
H = "hire"
P = "promotion"
L = "change"
R = "change"
[[leaves]]
file = "leaves.csv"
columns = { employee_id = "id", leave_type = "type", start = "from", end = "to", child_birth = "birth" }
[[family]]
file = "family.csv"
columns = { employee_id = "id", relation = "relation", birth_date = "born" }
TOML
if [ ! -f corpus/parquet/seed-samples ]; then
  PY=python3
  $PY -c "import pyarrow" 2>/dev/null || {
    [ -x ../.venv/bin/python ] || python3 -m venv ../.venv
    ../.venv/bin/pip install -q pyarrow
    PY=../.venv/bin/python
  }
  mkdir -p corpus/parquet
  $PY - <<'PYEOF'
import pyarrow.csv as pc, pyarrow.parquet as pq
t = pc.read_csv("../data-samples/employees.csv").slice(0, 30)
pq.write_table(t, "corpus/parquet/seed-samples")
pq.write_table(t, "corpus/parquet/seed-snappy", compression="snappy")
pq.write_table(t, "corpus/parquet/seed-none", compression="none")
PYEOF
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(contract_employees contract_events parquet mapping export_history export_leaves_family export_snapshots export_master_cp932 export_xlsx)
mkdir -p logs
for t in "${targets[@]}"; do
  echo "== $t: $RUNS runs"
  cargo fuzz run --sanitizer none "$t" "corpus/$t" -- \
    -runs="$RUNS" -max_total_time="$MAX_TIME" -max_len=8192 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    > "logs/$t.log" 2>&1 || { echo "$t: FAILED, see fuzz/logs/$t.log"; tail -30 "logs/$t.log"; exit 1; }
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "logs/$t.log" | tail -2
done
