"""Reads runs.csv as a user would (pandas.read_csv as is) and checks its columns and types.

Usage: read_runs_csv.py RUNS_CSV. Prints the table's head and dtypes; exits 1 with the reason
when a check fails. Without pandas, checks with the csv module that numbers parse as numbers.
"""
import sys

NUMERIC_FLOAT = ["reward.beta", "final_score", "best_score", "wall_s"]
NUMERIC_INT = ["policy.hidden", "seed"]
COLUMNS = ["id", "status", "task", "dataset", "method", "policy.hidden", "policy.normalize_obs",
           "policy.reward_scaling", "reward.beta", "seed", "final_score", "best_score", "wall_s"]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def with_pandas(path, pd):
    df = pd.read_csv(path)
    print(df.head(8).to_string())
    print(df.dtypes.to_string())
    if list(df.columns) != COLUMNS:
        fail("columns %s" % list(df.columns))
    for c in NUMERIC_FLOAT:
        if df[c].dtype.kind != "f":
            fail("%s has dtype %s, not float" % (c, df[c].dtype))
    for c in NUMERIC_INT:
        if df[c].dtype.kind != "i":
            fail("%s has dtype %s, not int" % (c, df[c].dtype))
    if df["policy.normalize_obs"].dtype.kind != "b":
        fail("policy.normalize_obs has dtype %s, not bool" % df["policy.normalize_obs"].dtype)
    rows = df.set_index("id")
    if rows.loc["a", "reward.beta"] != 0.5 or rows.loc["b", "reward.beta"] != 2.0:
        fail("reward.beta values")
    if rows.loc["old", "reward.beta"] != 0.5 or rows.loc["old", "policy.hidden"] != 64:
        fail("the older record's text values do not read as numbers")
    if rows.loc["a", "policy.reward_scaling"] != "none":
        fail("string column")
    if not pd.isna(rows.loc["f", "final_score"]) or rows.loc["f", "status"] != "failed":
        fail("failed run")
    if rows.loc["a", "wall_s"] != 3600.0 or rows.loc["a", "final_score"] != 70.0:
        fail("scores or wall time")
    print("pandas", pd.__version__, "ok")


def with_csv(path):
    import csv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if list(rows[0].keys()) != COLUMNS:
        fail("columns %s" % list(rows[0].keys()))
    for r in rows:
        for c in NUMERIC_FLOAT + NUMERIC_INT:
            if r[c] != "":
                float(r[c])
        for c in NUMERIC_INT:
            int(r[c])
    print("csv module ok")


def main():
    path = sys.argv[1]
    try:
        import pandas as pd
    except ImportError:
        with_csv(path)
        return
    with_pandas(path, pd)


main()
