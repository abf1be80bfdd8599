"""Benchmark skdeep.RNNLanguageModel against PyTorch on the char-RNN workloads.

Workloads (definitions in shared/WORKLOADS.md):

* LSTM-shakespeare: tinyshakespeare.txt as characters, first 90 % train, last
  10 % validation; one-hot input (``embedding_dim=None``), one LSTM layer of
  256, softmax over the vocabulary (65 characters + ``<eos>`` + ``<unk>`` = 67
  outputs in skdeep's tokenisation); adam 2e-3, truncated BPTT 100, batch 64,
  global gradient-norm clip 5.
* RNN-shakespeare: the same with a vanilla tanh RNN of 256.

Metrics: seconds per 100k training characters, and validation bits per
character after a fixed training budget.

Anchor: an equivalent PyTorch CPU training loop (``nn.LSTM``/``nn.RNN`` +
``nn.Linear`` on one-hot float32 input, ``torch.optim.Adam``,
``clip_grad_norm_(…, 5)``) when ``import torch`` works. Both implementations
see the SAME windows: the training text is one stream ``<eos> text <eos>`` cut
into 64 contiguous rows (skdeep's rule), read in windows of 100 steps, the
hidden state carried from window to window and detached (truncated BPTT), reset
to zeros at the start of each pass; no random offsets (``shuffle=False``). The
PyTorch model is initialised like skdeep's (Glorot-uniform input weights,
orthogonal recurrent blocks, zero biases except an LSTM forget-gate bias of 1,
Glorot-uniform output layer), so bits per character compare implementations,
not initialisations. Everything runs in one process with 2 threads
(threadpoolctl for numpy's BLAS, ``torch.set_num_threads``), interleaved
(skdeep, torch, skdeep, torch, ...).

Two measurements:

1. **Speed** — each repeat trains a fresh model for one pass over the first
   ``--chars`` characters of the training text (default 200,000) and is timed
   (skdeep's time includes its tokenisation of that text, a few milliseconds).
   Printed: seconds per 100k characters (medians over ``--repeats``) and the
   ratio skdeep / torch.
2. **Quality** — one fresh model per implementation trained for ``--passes``
   passes (WORKLOADS.md: 2) over the first ``--train-chars`` characters of the
   training text (default: all 1,003,854), then validation bits per character
   ``= −(mean log-likelihood per token) / ln 2`` over the whole validation text
   read as one document from a zero state (skdeep: ``-lm.score([valid]) /
   ln 2``; it also predicts the closing ``<eos>``: one token in 111,541). The
   budget actually used is printed with the result. ``--passes 0`` skips it.

Usage::

    python benchmarks/bench_rnn.py                         # both cells, full budget
    python benchmarks/bench_rnn.py --cell lstm --repeats 5
    python benchmarks/bench_rnn.py --passes 1 --train-chars 300000  # shorter
    python benchmarks/bench_rnn.py --quick                 # smoke test (seconds)
"""

import argparse
import math
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

# _common sets the BLAS thread limits, so it comes before numpy; its folder is
# put on the path for when this file is loaded by path (the smoke tests).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    N_THREADS,
    import_torch,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402

from skdeep import RNNLanguageModel  # noqa: E402

DEFAULT_TEXT = (Path(__file__).resolve().parents[2] / "shared" / "data"
                / "tinyshakespeare.txt")
#: The workload (WORKLOADS.md): one layer of 256, adam 2e-3, BPTT 100, batch 64.
WORKLOAD = dict(hidden=256, lr=2e-3, bptt=100, batch=64, clip=5.0)
#: --quick: a smoke test of the whole pipeline in a few seconds.
QUICK = dict(hidden=32, lr=2e-3, bptt=20, batch=8, clip=5.0)
QUICK_TEXT_CHARS = 30_000
EOS, UNK = "<eos>", "<unk>"
LN2 = math.log(2.0)










# ------------------------------------------------------------------------ data
def load_text(path=None):
    """The corpus and where it came from.

    ``path`` None looks for shared/data/tinyshakespeare.txt; when it is absent the
    scikit-learn dataset descriptions stand in (and the output says so).
    """
    if path is not None:
        return Path(path).read_text(encoding="utf-8"), str(path)
    if DEFAULT_TEXT.is_file():
        return DEFAULT_TEXT.read_text(encoding="utf-8"), str(DEFAULT_TEXT)
    from skdeep.datasets import load_sklearn_descriptions

    source = (f"scikit-learn dataset descriptions ({DEFAULT_TEXT} not found; bits "
              "per character are not comparable to Tiny Shakespeare's)")
    return "\n\n".join(load_sklearn_descriptions()), source


def split_text(text, train_fraction=0.9):
    """First 90 % for training, last 10 % for validation (as nanoGPT)."""
    n = int(len(text) * train_fraction)
    return text[:n], text[n:]


def char_vocabulary(text):
    """skdeep's character vocabulary: ``<eos>``, ``<unk>``, then by count."""
    counts = Counter(text)
    kept = sorted(counts, key=lambda tok: (-counts[tok], tok))
    tokens = [EOS, UNK, *kept]
    return {tok: i for i, tok in enumerate(tokens)}


def encode_stream(text, vocab):
    """``<eos> text <eos>`` as token ids (skdeep's stream of one document)."""
    unk = vocab[UNK]
    ids = np.fromiter((vocab.get(c, unk) for c in text), dtype=np.int64,
                      count=len(text))
    return np.concatenate([[vocab[EOS]], ids, [vocab[EOS]]])


def windows(stream, batch):
    """Cut the stream into ``batch`` contiguous rows (skdeep's rule, offset 0)."""
    rows = max(1, min(batch, (len(stream) - 1) // 2))
    cols = (len(stream) - 1) // rows
    return (stream[: rows * cols].reshape(rows, cols),
            stream[1: rows * cols + 1].reshape(rows, cols))


# ---------------------------------------------------------------------- skdeep
def make_skdeep(cell, cfg, passes, seed):
    return RNNLanguageModel(
        level="char", cell=cell, hidden_size=cfg["hidden"], num_layers=1,
        embedding_dim=None, bptt=cfg["bptt"], batch_size=cfg["batch"],
        solver="adam", learning_rate_init=cfg["lr"], max_grad_norm=cfg["clip"],
        max_iter=passes, tol=None, shuffle=False, random_state=seed,
        dtype="float32",
    )


def run_skdeep(cell, cfg, train, passes, seed):
    """Fit for ``passes`` passes over ``train``; ``(seconds, model)``."""
    lm = make_skdeep(cell, cfg, passes, seed)
    start = time.perf_counter()
    lm.fit([train])
    elapsed = time.perf_counter() - start
    if lm.n_iter_ != passes:
        raise RuntimeError(f"skdeep ran {lm.n_iter_} passes instead of {passes}.")
    return elapsed, lm


def skdeep_bits_per_char(lm, valid):
    return -lm.score([valid]) / LN2


# ----------------------------------------------------------------------- torch
def make_torch(torch, cell, n_tokens, cfg, seed):
    """nn.LSTM/nn.RNN + nn.Linear, initialised as skdeep initialises its layers."""
    nn = torch.nn
    H, V = cfg["hidden"], n_tokens
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=(fan_in, fan_out)), bound

    def orthogonal(n):
        q, r = np.linalg.qr(rng.standard_normal((n, n)))
        return q * np.sign(np.diag(r))

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            rnn_cls = nn.LSTM if cell == "lstm" else nn.RNN
            kwargs = {} if cell == "lstm" else {"nonlinearity": "tanh"}
            self.rnn = rnn_cls(V, H, num_layers=1, batch_first=True, **kwargs)
            self.out = nn.Linear(H, V)
            self.n_tokens = V

        def forward(self, ids, state=None):
            x = torch.nn.functional.one_hot(ids, self.n_tokens).float()
            h, state = self.rnn(x, state)
            return self.out(h), state

    model = CharLM()
    G = 4 if cell == "lstm" else 1
    W_x, _ = glorot(V, G * H)                    # skdeep: (V, G·H), x W_x
    W_h = np.concatenate([orthogonal(H) for _ in range(G)], axis=1)
    b = np.zeros(G * H)
    if cell == "lstm":
        b[H:2 * H] = 1.0                         # forget gate (gate order i f g o)
    W_out, bound = glorot(H, V)
    b_out = rng.uniform(-bound, bound, size=V)
    with torch.no_grad():
        rnn = model.rnn
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_x.T.astype(np.float32)))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_h.T.astype(np.float32)))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b.astype(np.float32)))
        rnn.bias_hh_l0.zero_()
        model.out.weight.copy_(torch.from_numpy(W_out.T.astype(np.float32)))
        model.out.bias.copy_(torch.from_numpy(b_out.astype(np.float32)))
    return model


def _detach(state):
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def run_torch(torch, cell, cfg, train_ids, n_tokens, passes, seed):
    """Train on the encoded stream; ``(seconds, model)``."""
    start = time.perf_counter()
    torch.manual_seed(seed)
    model = make_torch(torch, cell, n_tokens, cfg, seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999),
                           eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, targets = windows(train_ids, cfg["batch"])
    inputs, targets = torch.from_numpy(inputs), torch.from_numpy(targets)
    params = list(model.parameters())
    model.train()
    for _ in range(passes):
        state = None  # zeros at the start of each pass, as skdeep
        for begin in range(0, inputs.shape[1], cfg["bptt"]):
            x = inputs[:, begin:begin + cfg["bptt"]]
            y = targets[:, begin:begin + cfg["bptt"]]
            logits, state = model(x, state)
            loss = loss_fn(logits.reshape(-1, n_tokens), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, cfg["clip"])
            opt.step()
            state = _detach(state)
            if not math.isfinite(loss.item()):
                raise RuntimeError("torch training diverged")
    return time.perf_counter() - start, model


def torch_bits_per_char(torch, model, valid_ids, chunk=10_000):
    """Mean −log₂ p of every token after the first, one stream from zero state."""
    model.eval()
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for begin in range(0, len(valid_ids) - 1, chunk):
            x = torch.from_numpy(valid_ids[begin:begin + chunk][None, :])
            y = torch.from_numpy(valid_ids[begin + 1:begin + chunk + 1])
            x = x[:, : y.shape[0]]
            logits, state = model(x, state)
            logp = torch.log_softmax(logits[0], dim=-1)
            total += float(logp.gather(1, y[:, None]).sum())
            count += int(y.shape[0])
    return -total / count / LN2


# ---------------------------------------------------------------------- driver
def _check_vocabulary(lm, vocab):
    """Both implementations must read the same token ids."""
    if lm.vocabulary_ != vocab:
        raise RuntimeError("skdeep's vocabulary differs from the benchmark's "
                           "encoding: the two runs would not see the same data.")


def bench_speed(cell, cfg, text_train, chars, repeats, torch):
    train = text_train[:chars]
    vocab = char_vocabulary(train)  # what skdeep's fit builds from this text
    ids = encode_stream(train, vocab)
    print(f"\n== {cell.upper()} speed: one pass over the first {len(train):,} "
          f"training characters, {repeats} repeat(s) ==", flush=True)
    # Warm-up (imports, thread pools, allocator), not timed: a few windows each.
    warm = train[: min(len(train), cfg["batch"] * cfg["bptt"] * 3)]
    run_skdeep(cell, cfg, warm, 1, 0)
    if torch is not None:
        run_torch(torch, cell, cfg, encode_stream(warm, vocab), len(vocab), 1, 0)
    times = {"skdeep": [], "torch": []} if torch is not None else {"skdeep": []}
    per = 100_000 / len(train)
    for rep in range(repeats):
        seconds, lm = run_skdeep(cell, cfg, train, 1, rep)
        _check_vocabulary(lm, vocab)
        times["skdeep"].append(seconds * per)
        line = f"  [{cell}] repeat {rep + 1}/{repeats}  skdeep {seconds * per:8.3f}"
        if torch is not None:
            seconds, _ = run_torch(torch, cell, cfg, ids, len(vocab), 1, rep)
            times["torch"].append(seconds * per)
            line += f"  torch {seconds * per:8.3f}"
        print(line + "  s/100k chars", flush=True)
    med = {k: median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    for name, ts in times.items():
        print(f"  [{cell}] {name:<6} median {med[name]:8.3f} s/100k chars  "
              f"min {best[name]:8.3f}  (runs: {', '.join(f'{t:.3f}' for t in ts)})")
    if torch is not None:
        print(f"  [{cell}] ratio skdeep/torch = {ratio(med['skdeep'], med['torch']):.2f}"
              f" (medians; of minima {ratio(best['skdeep'], best['torch']):.2f})",
              flush=True)
    return med


def bench_quality(cell, cfg, text_train, text_valid, train_chars, passes, torch):
    train = text_train[:train_chars]
    vocab = char_vocabulary(train)
    budget = (f"{passes} pass(es) over {len(train):,} of {len(text_train):,} "
              f"training characters = {passes * len(train):,} characters")
    print(f"\n== {cell.upper()} quality: {budget}; validation = "
          f"{len(text_valid):,} characters as one document ==", flush=True)
    result = {}
    seconds, lm = run_skdeep(cell, cfg, train, passes, 0)
    _check_vocabulary(lm, vocab)
    bpc = skdeep_bits_per_char(lm, text_valid)
    result["skdeep"] = (bpc, seconds)
    print(f"  [{cell}] skdeep  validation {bpc:.4f} bits/char  (train loss "
          f"{lm.loss_ / LN2:.4f} bits/char, {seconds:.1f} s = "
          f"{seconds * 1e5 / (passes * len(train)):.3f} s/100k chars)", flush=True)
    if torch is not None:
        seconds, model = run_torch(torch, cell, cfg, encode_stream(train, vocab),
                                   len(vocab), passes, 0)
        bpc = torch_bits_per_char(torch, model, encode_stream(text_valid, vocab))
        result["torch"] = (bpc, seconds)
        print(f"  [{cell}] torch   validation {bpc:.4f} bits/char  ({seconds:.1f} s = "
              f"{seconds * 1e5 / (passes * len(train)):.3f} s/100k chars)",
              flush=True)
    return result, budget


def _header(torch, n_threads, source, n_train, n_valid, n_vocab):
    print_header(n_threads, torch)
    print(f"text: {source}")
    print(f"  {n_train:,} training / {n_valid:,} validation characters, "
          f"{n_vocab} tokens (characters + <eos> + <unk>)")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cell", choices=("lstm", "rnn", "all"), default="all",
                        help="workload: LSTM-shakespeare, RNN-shakespeare or both")
    parser.add_argument("--text", default=None,
                        help="text file (default: shared/data/tinyshakespeare.txt)")
    parser.add_argument("--chars", type=int, default=200_000,
                        help="training characters per timed speed run "
                             "(default 200000)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved speed repeats per implementation "
                             "(default 3)")
    parser.add_argument("--passes", type=int, default=2,
                        help="passes of the quality run (WORKLOADS.md: 2; 0 skips "
                             "the quality run)")
    parser.add_argument("--train-chars", type=int, default=None,
                        help="training characters of the quality run (default: "
                             "the whole training text)")
    parser.add_argument("--threads", type=int, default=N_THREADS,
                        help=f"threads for every library (default {N_THREADS}, "
                             "as WORKLOADS.md)")
    parser.add_argument("--no-torch", action="store_true",
                        help="skip the PyTorch anchor")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: hidden 32, BPTT 20, batch 8, on the "
                             f"first {QUICK_TEXT_CHARS:,} characters")
    args = parser.parse_args(argv)
    for name in ("chars", "repeats", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.passes < 0:
        parser.error("--passes must be >= 0")
    if args.train_chars is not None and args.train_chars < 1:
        parser.error("--train-chars must be at least 1")
    return args


def main(argv=None):
    """Run the benchmark; returns the summary rows (a list of dicts)."""
    args = parse_args(argv)
    torch = None if args.no_torch else import_torch()
    cfg = QUICK if args.quick else WORKLOAD
    text, source = load_text(args.text)
    if args.quick:
        text = text[:QUICK_TEXT_CHARS]
        source += f" (first {QUICK_TEXT_CHARS:,} characters: --quick)"
        args.chars = min(args.chars, 4_000)
        args.passes = min(args.passes, 1)
        args.train_chars = min(args.train_chars or 8_000, 8_000)
    text_train, text_valid = split_text(text)
    vocab = char_vocabulary(text_train)
    limiter = limit_threads(args.threads)
    torch_threads = None
    if torch is not None:
        torch_threads = torch.get_num_threads()
        torch.set_num_threads(args.threads)
    rows = []
    try:
        _header(torch, args.threads, source, len(text_train), len(text_valid),
                len(vocab))
        print(f"model: one-hot input, 1 layer of {cfg['hidden']}, softmax "
              f"{len(vocab)}; adam {cfg['lr']}, BPTT {cfg['bptt']}, batch "
              f"{cfg['batch']}, gradient-norm clip {cfg['clip']}; float32")
        print(f"start: {loadavg()} (other load on the machine skews timings)")
        if torch is None:
            print("PyTorch not importable (or --no-torch): skipping the torch anchor.")
        cells = ("lstm", "rnn") if args.cell == "all" else (args.cell,)
        train_chars = args.train_chars or len(text_train)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tol=None: "max_iter reached" is noise
            for cell in cells:
                workload = f"{cell.upper()}-shakespeare"
                med = bench_speed(cell, cfg, text_train, args.chars,
                                  args.repeats, torch)
                quality, budget = ({}, "skipped (--passes 0)")
                if args.passes:
                    quality, budget = bench_quality(
                        cell, cfg, text_train, text_valid, train_chars,
                        args.passes, torch)
                for name in med:
                    rows.append(dict(
                        workload=workload, impl=name, s_per_100k=med[name],
                        vs_torch=ratio(med[name], med["torch"]) if "torch" in med
                        else None,
                        bits_per_char=quality.get(name, (None,))[0], budget=budget,
                    ))
        print(f"\n== Summary (speed: medians of {args.repeats} x {args.chars:,} "
              f"characters; ratio = skdeep time / torch time, < 1 = faster); "
              f"{loadavg()} ==")
        header = (f"{'workload':<18} {'impl':<7} {'s/100k chars':>12} "
                  f"{'vs torch':>9} {'valid bits/char':>16}")
        print(header)
        print("-" * len(header))
        for r in rows:
            vt = "" if r["vs_torch"] is None else f"{r['vs_torch']:.2f}"
            bpc = "" if r["bits_per_char"] is None else f"{r['bits_per_char']:.4f}"
            print(f"{r['workload']:<18} {r['impl']:<7} {r['s_per_100k']:12.3f} "
                  f"{vt:>9} {bpc:>16}")
        if rows:
            print(f"quality budget: {rows[0]['budget']}")
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
    return rows


if __name__ == "__main__":
    main()
