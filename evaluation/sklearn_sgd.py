#!/usr/bin/python3
"""One pass of scikit-learn's SGDClassifier(loss="log_loss") over each shipped training set.

For every dataset (a directory holding train.csv and test.csv in the shipped format: a header,
the feature columns, a `label` column) this runs SGDClassifier for exactly one pass over the
training rows in file order (`partial_fit` called once on the whole training set with
`shuffle=False`), over a grid of settings:

  learning_rate  constant, optimal, invscaling, adaptive
  eta0           1e-5 .. 1, one value per decade (not used by `optimal`, which is run once per alpha)
  alpha          1e-7 .. 1e-1, one value per decade
  average        False, True
  penalty        l2, elasticnet (l1_ratio 0.15)
  features       raw, and standardised with the training set's mean and standard deviation

and scores each on the test set (log loss with sklearn.metrics.log_loss, accuracy, ROC AUC for two
classes). The best setting is chosen by TEST log loss: an oracle choice, the most favourable figure
scikit-learn can show, not a fair model selection. Standardising with statistics of the whole
training set is a second advantage a one-pass online learner does not have.

With one pass, `adaptive` never lowers its rate (it does so between epochs), so it behaves as
`constant`; `optimal` sets its rate from alpha alone. For more than two classes SGDClassifier is
one-vs-rest, and predict_proba normalises the one-vs-rest probabilities; they are used as they are.

Output: one JSON object per dataset on stdout; `--markdown` prints a table instead.
Run with Debian's Python: /usr/bin/python3 evaluation/sklearn_sgd.py [--markdown] [DIR ...]
"""
import argparse
import csv
import gzip
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.preprocessing import StandardScaler

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASETS = os.path.join(REPO, "src", "main", "resources", "datasets")
DEFAULT_ORDER = ["breast-cancer", "wine", "spam", "digits", "satellite", "mpls-stops", "mnist"]

SCHEDULES = ["constant", "optimal", "invscaling", "adaptive"]
ETA0 = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
ALPHA = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
AVERAGE = [False, True]
PENALTIES = [("l2", 0.15), ("elasticnet", 0.15)]  # l1_ratio is used by elasticnet only
FEATURES = ["raw", "standardised"]

NOTE = ("best = lowest TEST log loss over the grid (an oracle choice, the most favourable figure for "
        "scikit-learn); 'standardised' uses the whole training set's mean and standard deviation, which a "
        "one-pass online learner does not have; exactly one pass over the training rows in file order "
        "(partial_fit once, shuffle=False); multi-class is one-vs-rest with normalised predict_proba")


def read_csv(path):
    # the larger shipped sets are stored gzip-compressed, as NAME/train.csv.gz
    opened = (open(path, newline="", encoding="utf-8") if os.path.exists(path)
              else gzip.open(path + ".gz", "rt", newline="", encoding="utf-8"))
    with opened as f:
        rows = list(csv.reader(f))
    header = rows[0]
    label = header.index("label")
    names = [h for i, h in enumerate(header) if i != label]
    cells = [[c.strip() for i, c in enumerate(r) if i != label] for r in rows[1:]]
    labels = [r[label].strip() for r in rows[1:]]
    return names, cells, labels


def is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def design(train_cells, test_cells, n_columns):
    """Dense matrices: numeric columns as they are (a missing cell gets the training mean), a
    non-numeric column one-hot over its training values (as the Java batch reference does)."""
    blocks_train, blocks_test = [], []
    for j in range(n_columns):
        column = [r[j] for r in train_cells]
        if all(c == "" or is_number(c) for c in column):
            values = [float(c) if c != "" else math.nan for c in column]
            known = [v for v in values if not math.isnan(v)]
            mean = sum(known) / len(known) if known else 0.0
            tr = [mean if math.isnan(v) else v for v in values]
            te = [float(r[j]) if r[j] != "" else mean for r in test_cells]
            blocks_train.append(np.array(tr)[:, None])
            blocks_test.append(np.array(te)[:, None])
        else:
            levels = sorted({c for c in column if c != ""})
            blocks_train.append(np.array([[1.0 if c == v else 0.0 for v in levels] for c in column]))
            blocks_test.append(np.array([[1.0 if r[j] == v else 0.0 for v in levels] for r in test_cells]))
    return np.hstack(blocks_train), np.hstack(blocks_test)


def settings():
    for features in FEATURES:
        for schedule in SCHEDULES:
            for eta0 in ([None] if schedule == "optimal" else ETA0):
                for alpha in ALPHA:
                    for average in AVERAGE:
                        for penalty, l1_ratio in PENALTIES:
                            yield dict(features=features, learning_rate=schedule, eta0=eta0, alpha=alpha,
                                       average=average, penalty=penalty,
                                       l1_ratio=l1_ratio if penalty == "elasticnet" else None)


def one_pass(setting, x_train, y_train, classes):
    model = SGDClassifier(loss="log_loss", penalty=setting["penalty"], alpha=setting["alpha"],
                          l1_ratio=setting["l1_ratio"] if setting["l1_ratio"] is not None else 0.15,
                          learning_rate=setting["learning_rate"],
                          eta0=setting["eta0"] if setting["eta0"] is not None else 0.0,
                          average=setting["average"], shuffle=False, random_state=0, fit_intercept=True)
    model.partial_fit(x_train, y_train, classes=classes)
    return model


def evaluate(directory):
    name = os.path.basename(os.path.normpath(directory))
    names, train_cells, y_train = read_csv(os.path.join(directory, "train.csv"))
    test_names, test_cells, y_test = read_csv(os.path.join(directory, "test.csv"))
    if test_names != names:
        raise SystemExit("%s: test.csv has other columns than train.csv" % directory)
    classes = np.array(sorted(set(y_train)))
    unknown = set(y_test) - set(classes)
    if unknown:
        raise SystemExit("%s: test labels not in training: %s" % (directory, sorted(unknown)))
    y_train = np.array(y_train)
    y_test = np.array(y_test)
    raw_train, raw_test = design(train_cells, test_cells, len(names))
    scaler = StandardScaler().fit(raw_train)
    matrices = {"raw": (raw_train, raw_test),
                "standardised": (scaler.transform(raw_train), scaler.transform(raw_test))}
    binary = len(classes) == 2

    start = time.perf_counter()
    results, failed = [], 0
    for setting in settings():
        x_train, x_test = matrices[setting["features"]]
        try:
            with np.errstate(all="ignore"):
                model = one_pass(setting, x_train, y_train, classes)
                proba = model.predict_proba(x_test)
        except (ValueError, FloatingPointError, OverflowError):
            failed += 1
            continue
        if not np.all(np.isfinite(proba)):
            failed += 1
            continue
        if not np.array_equal(model.classes_, classes):
            raise SystemExit("unexpected class order %s" % model.classes_)
        scores = dict(test_log_loss=float(log_loss(y_test, proba, labels=classes)),
                      test_accuracy=float(accuracy_score(y_test, classes[np.argmax(proba, axis=1)])))
        if binary:
            scores["test_auc"] = float(roc_auc_score(y_test == classes[1], proba[:, 1]))
        # one pass means: the model saw each training row once
        assert model.t_ == len(y_train) + 1, (model.t_, len(y_train))
        results.append((setting, scores))
    seconds = time.perf_counter() - start

    def best(rows):
        if not rows:
            return None
        setting, scores = min(rows, key=lambda r: r[1]["test_log_loss"])
        return dict(config=setting, **scores)

    per_schedule = {}
    for features in FEATURES:
        for schedule in SCHEDULES:
            per_schedule["%s/%s" % (features, schedule)] = best(
                [r for r in results if r[0]["features"] == features and r[0]["learning_rate"] == schedule])
    return dict(dataset=name, classes=[str(c) for c in classes], train_rows=int(len(y_train)),
                test_rows=int(len(y_test)), columns=int(raw_train.shape[1]),
                positive_class=str(classes[1]) if binary else None,
                settings_tried=len(results) + failed, settings_failed=failed,
                best=best(results),
                best_raw=best([r for r in results if r[0]["features"] == "raw"]),
                best_standardised=best([r for r in results if r[0]["features"] == "standardised"]),
                best_per_schedule=per_schedule, seconds=round(seconds, 2),
                sklearn_version=sklearn.__version__, note=NOTE)


def describe(config):
    parts = [config["learning_rate"]]
    if config["eta0"] is not None:
        parts.append("eta0=%g" % config["eta0"])
    parts.append("alpha=%g" % config["alpha"])
    parts.append(config["penalty"] + ("(l1_ratio=%g)" % config["l1_ratio"] if config["l1_ratio"] is not None else ""))
    if config["average"]:
        parts.append("averaged")
    return ", ".join(parts)


def markdown(reports):
    lines = ["| dataset | features | schedule | test log loss | accuracy | AUC | setting |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for report in reports:
        overall = report["best"]
        for key, entry in report["best_per_schedule"].items():
            features, schedule = key.split("/")
            if entry is None:
                lines.append("| %s | %s | %s | all diverged | | | |" % (report["dataset"], features, schedule))
                continue
            mark = " **(best)**" if entry == overall else ""
            auc = "%.4f" % entry["test_auc"] if "test_auc" in entry else "–"
            loss = entry["test_log_loss"]
            lines.append("| %s | %s | %s | %s%s | %.4f | %s | %s |" % (
                report["dataset"], features, schedule, "%.4f" % loss if loss >= 1e-3 else "%.2e" % loss, mark,
                entry["test_accuracy"], auc, describe(entry["config"])))
    lines.append("")
    lines.append("One pass of SGDClassifier(loss=\"log_loss\"), scikit-learn %s; %s." % (
        reports[0]["sklearn_version"] if reports else sklearn.__version__, NOTE))
    lines.append("Settings tried (failed or non-finite): " + ", ".join(
        "%s %d (%d)" % (r["dataset"], r["settings_tried"], r["settings_failed"]) for r in reports) + ".")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", help="dataset directories with train.csv and test.csv "
                        "(default: every dataset under src/main/resources/datasets)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table instead of JSON lines")
    args = parser.parse_args()
    dirs = args.dirs
    if not dirs:
        found = sorted(d for d in os.listdir(DATASETS) if os.path.isfile(os.path.join(DATASETS, d, "train.csv"))
                       or os.path.isfile(os.path.join(DATASETS, d, "train.csv.gz")))
        ordered = [d for d in DEFAULT_ORDER if d in found] + [d for d in found if d not in DEFAULT_ORDER]
        dirs = [os.path.join(DATASETS, d) for d in ordered]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    reports = []
    for directory in dirs:
        report = evaluate(directory)
        reports.append(report)
        if not args.markdown:
            print(json.dumps(report), flush=True)
        else:
            print("%s done in %.1f s" % (report["dataset"], report["seconds"]), file=sys.stderr, flush=True)
    if args.markdown:
        print(markdown(reports))


if __name__ == "__main__":
    main()
