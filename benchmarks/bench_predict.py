"""Inference throughput: what serving a fitted skdeep model costs, against PyTorch.

Three fitted models, each copied weight for weight into the equivalent PyTorch
module, which runs under ``torch.inference_mode()`` (no autograd bookkeeping):

* **MLPNet** — the MLP-keras net (784-500-500-10, logistic hidden units),
  fitted for one epoch on 10,000 MNIST training images; ``predict`` on the
  10,000 MNIST test images.
* **ConvNetClassifier** — the CNN-convnetjs net (conv 8@5x5 pad 2 relu, pool
  2/2, conv 16@5x5 pad 2 relu, pool 3/3, softmax 10), fitted as that workload;
  ``predict`` on the MNIST test images.
* **RNNLanguageModel** — the LSTM-shakespeare net (one-hot characters, one LSTM
  layer of 256, softmax over 67 tokens), fitted for one pass over the first
  200,000 training characters; ``score`` of the validation text (the last 10 %
  of Tiny Shakespeare, 111,540 characters read as one document from a zero
  state: every next-character probability), against ``nn.LSTM`` + ``nn.Linear``
  on the same stream in chunks of 10,000 steps with the state carried.

Rows (tokens) per second at each batch size: the whole test set in one call,
batches of 100, and one row at a time (a web service's latency; skdeep's
includes scikit-learn's input validation, PyTorch's a module call on a tensor).
Both libraries use 2 threads; runs are interleaved (skdeep, torch, skdeep, ...)
and the medians of ``--repeats`` runs are reported, with the ratio
skdeep rows/s ÷ torch rows/s (> 1: skdeep serves faster). Both models'
predictions are compared (the share of equal labels, the difference of the
validation bits per character), so that a speed-up cannot come from computing
something else.

Usage::

    python benchmarks/bench_predict.py --data ../shared/data
    python benchmarks/bench_predict.py --data ../shared/data --repeats 7
    python benchmarks/bench_predict.py --quick     # smoke test on digits, seconds

Without MNIST (``--data`` lacking ``mnist/``) the image models use scikit-learn's
8x8 digits; without ``tinyshakespeare.txt`` the language model reads
scikit-learn's dataset descriptions. Without torch only skdeep runs.
"""

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402  (sets the BLAS thread variables first)
    N_THREADS,
    import_torch,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skdeep import ConvNetClassifier, MLPNet, RNNLanguageModel  # noqa: E402
from skdeep.datasets import load_mnist, load_sklearn_descriptions  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LN2 = math.log(2.0)


# ------------------------------------------------------------------------ data
def image_data(data_dir, quick):
    """``(X_train, y_train, X_test, y_test, name)``: MNIST in [0, 1], or digits."""
    mnist = Path(data_dir) / "mnist"
    if not quick and (mnist / "t10k-images-idx3-ubyte.gz").exists():
        X, y = load_mnist(mnist, "train")
        Xt, yt = load_mnist(mnist, "test")
        return (X[:10000] / 255).astype(np.float32), y[:10000], (
            Xt / 255).astype(np.float32), yt, "MNIST"
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return X[:1200], y[:1200], X[1200:], y[1200:], "digits (8x8)"


def text_data(data_dir, quick):
    """``(train, valid, name)``: Tiny Shakespeare's 90/10 split, or sklearn text."""
    path = Path(data_dir) / "tinyshakespeare.txt"
    if not quick and path.exists():
        text, name = path.read_text(encoding="utf-8"), "Tiny Shakespeare"
    else:
        text, name = "\n\n".join(load_sklearn_descriptions()), "sklearn descriptions"
    n = int(len(text) * 0.9)
    train, valid = text[:n], text[n:]
    if quick:
        train, valid = train[:20000], valid[:3000]
    return train[:200_000], valid, name


# --------------------------------------------------------------------- models
def fit_models(images, text, quick):
    """The three fitted skdeep models."""
    X, y, _, _, _ = images
    side = int(round(math.sqrt(X.shape[1])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        width = 64 if quick else 500
        mlp = MLPNet((width, width), activation="logistic", solver="sgd",
                     learning_rate_init=0.1, momentum=0.0, batch_size=100,
                     max_iter=1, alpha=0.0, random_state=0).fit(X, y)
        conv = [{"type": "conv", "sx": 5, "filters": 8, "pad": 2,
                 "activation": "relu"}, {"type": "pool", "sx": 2, "stride": 2},
                {"type": "conv", "sx": 5, "filters": 16, "pad": 2,
                 "activation": "relu"}, {"type": "pool", "sx": 3, "stride": 3}]
        cnn = ConvNetClassifier(conv, solver="sgd", learning_rate_init=0.01,
                                momentum=0.9, nesterovs_momentum=False,
                                batch_size=32, max_iter=1, tol=None, l2_decay=0.0,
                                random_state=0).fit(X.reshape(-1, 1, side, side), y)
        lm = RNNLanguageModel(level="char", hidden_size=32 if quick else 256,
                              bptt=100, batch_size=64, learning_rate_init=2e-3,
                              max_iter=1, tol=None, random_state=0).fit([text[0]])
    return mlp, cnn, lm


def torch_mlp(torch, mlp):
    """``nn.Sequential`` of Linear + Sigmoid with ``mlp``'s weights."""
    nn, mods = torch.nn, []
    for i, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        lin = nn.Linear(*W.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < len(mlp.coefs_) - 1:
            mods.append(nn.Sigmoid())
    return nn.Sequential(*mods).eval()


def torch_convnet(torch, cnn):
    """The convnetjs net in PyTorch with ``cnn``'s weights."""
    nn = torch.nn
    W1, W2, W3 = cnn.coefs_
    b1, b2, b3 = cnn.intercepts_
    net = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3),
                        nn.Flatten(), nn.Linear(W3.shape[0], W3.shape[1]))
    with torch.no_grad():
        for layer, W, b in ((net[0], W1, b1), (net[3], W2, b2)):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        net[7].weight.copy_(torch.from_numpy(np.ascontiguousarray(W3.T)))
        net[7].bias.copy_(torch.from_numpy(b3))
    return net.eval()


def torch_lm(torch, lm):
    """``(model, encode)``: nn.LSTM + nn.Linear with ``lm``'s weights."""
    nn = torch.nn
    rec, out = lm._network.layers[0], lm._network.layers[-1]
    V, H = rec.params["W_x"].shape[0], rec.hidden_size

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(V, H, batch_first=True)
            self.out = nn.Linear(H, V)

        def forward(self, ids, state=None):
            # one-hot input times W_x is a row lookup: the same product as skdeep
            x = nn.functional.one_hot(ids, V).float()
            h, state = self.rnn(x, state)
            return self.out(h), state

    model = CharLM()
    with torch.no_grad():  # gate order i, f, g, o in both
        model.rnn.weight_ih_l0.copy_(torch.from_numpy(rec.params["W_x"].T.copy()))
        model.rnn.weight_hh_l0.copy_(torch.from_numpy(rec.params["W_h"].T.copy()))
        model.rnn.bias_ih_l0.copy_(torch.from_numpy(rec.params["b"]))
        model.rnn.bias_hh_l0.zero_()
        model.out.weight.copy_(torch.from_numpy(out.params["W"].T.copy()))
        model.out.bias.copy_(torch.from_numpy(out.params["b"]))
    return model.eval()


# --------------------------------------------------------------------- timing
def rows_per_second(predict, X, batch):
    """Rows/s of ``predict`` over ``X`` in batches of ``batch``; and the labels."""
    n = len(X) if batch >= len(X) else min(len(X), 300 if batch == 1 else 3000)
    start = time.perf_counter()
    labels = [predict(X[i:i + batch]) for i in range(0, n, batch)]
    return n / (time.perf_counter() - start), np.concatenate(labels)


def torch_bits_per_char(torch, model, ids, chunk=10_000):
    """Mean −log₂ p of every token after the first, one stream from zero state."""
    total, state = 0.0, None
    with torch.inference_mode():
        for begin in range(0, len(ids) - 1, chunk):
            x = torch.from_numpy(ids[begin:begin + chunk][None, :])
            y = torch.from_numpy(ids[begin + 1:begin + chunk + 1])
            logits, state = model(x[:, : y.shape[0]], state)
            logp = torch.log_softmax(logits[0], dim=-1)
            total += float(logp.gather(1, y[:, None]).sum())
    return -total / (len(ids) - 1) / LN2


def bench_classifier(name, model, twin, torch, X_test, batches, repeats):
    """Interleaved rows/s of ``model.predict`` and its torch twin; one row each."""
    results = []
    for batch in batches:
        times = {"skdeep": [], "torch": []}
        agree = None
        for _ in range(repeats):
            speed, ours = rows_per_second(model.predict, X_test, batch)
            times["skdeep"].append(speed)
            if twin is not None:
                def predict(Xb):
                    with torch.inference_mode():
                        return twin(torch.from_numpy(Xb)).argmax(1).numpy()
                speed, theirs = rows_per_second(predict, X_test, batch)
                times["torch"].append(speed)
                agree = float(np.mean(model.classes_[theirs] == ours))
        row = {"model": name, "batch": batch, "skdeep": median(times["skdeep"]),
               "torch": median(times["torch"])}
        row["ratio"] = ratio(row["skdeep"], row["torch"])
        row["same_labels"] = agree
        results.append(row)
        line = (f"  {name:18s} batch {batch:>6}: skdeep {row['skdeep']:>11,.0f} rows/s")
        if twin is not None:
            line += (f"   torch {row['torch']:>11,.0f} rows/s   ratio "
                     f"{row['ratio']:.2f}   same labels {agree:.4f}")
        print(line, flush=True)
    return results


def bench_lm(lm, twin, torch, valid, repeats):
    """Interleaved tokens/s of ``lm.score([valid])`` and its torch twin."""
    ids = np.array([lm.vocabulary_.get(c, 1) for c in valid] + [0], dtype=np.int64)
    ids = np.r_[0, ids]  # read after <eos>, closing <eos> predicted, as skdeep
    times = {"skdeep": [], "torch": []}
    for _ in range(repeats):
        start = time.perf_counter()
        ours = -lm.score([valid]) / LN2
        times["skdeep"].append((len(ids) - 1) / (time.perf_counter() - start))
        if twin is not None:
            start = time.perf_counter()
            theirs = torch_bits_per_char(torch, twin, ids)
            times["torch"].append((len(ids) - 1) / (time.perf_counter() - start))
    row = {"model": "RNNLanguageModel", "batch": "stream",
           "skdeep": median(times["skdeep"]), "torch": median(times["torch"])}
    row["ratio"] = ratio(row["skdeep"], row["torch"])
    row["bits_per_char"] = (ours, theirs if twin is not None else None)
    line = (f"  RNNLanguageModel   one stream of {len(ids) - 1:,} tokens: skdeep "
            f"{row['skdeep']:,.0f} tokens/s ({ours:.4f} bits/char)")
    if twin is not None:
        line += (f"   torch {row['torch']:,.0f} tokens/s ({theirs:.4f} bits/char)"
                 f"   ratio {row['ratio']:.2f}")
    print(line, flush=True)
    return [row]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA),
                        help="folder with mnist/ and tinyshakespeare.txt")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=N_THREADS)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: digits, small nets, short text")
    args = parser.parse_args(argv)
    torch = import_torch()
    limiter = limit_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    try:
        print_header(args.threads, torch)
        print(loadavg())
        images = image_data(args.data, args.quick)
        text = text_data(args.data, args.quick)
        print(f"images: {images[4]}, {len(images[2]):,} test rows; text: {text[2]}, "
              f"{len(text[1]):,} validation characters; fitting the models ...",
              flush=True)
        mlp, cnn, lm = fit_models(images, text, args.quick)
        X_test = images[2]
        side = int(round(math.sqrt(X_test.shape[1])))
        batches = (len(X_test), 100, 1)
        rows = []
        print("\n== predict throughput (median rows/s; ratio = skdeep / torch, "
              "> 1: skdeep faster) ==")
        rows += bench_classifier("MLPNet", mlp, None if torch is None else
                                 torch_mlp(torch, mlp), torch, X_test, batches,
                                 args.repeats)
        rows += bench_classifier("ConvNetClassifier", cnn, None if torch is None
                                 else torch_convnet(torch, cnn), torch,
                                 X_test.reshape(-1, 1, side, side), batches,
                                 args.repeats)
        rows += bench_lm(lm, None if torch is None else torch_lm(torch, lm), torch,
                         text[1], args.repeats)
        print(f"\n{loadavg()}")
        return rows
    finally:
        if limiter is not None:
            limiter.restore_original_limits()


if __name__ == "__main__":
    main()
