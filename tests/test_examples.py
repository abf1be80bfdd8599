"""The examples run with ``--fast`` and print the seeds' key facts.

Each example is imported from examples/ by path (the folder is not a package) and
its ``main(['--fast'])`` is called in-process. Examples that draw save their
figure with ``--out`` (matplotlib's Agg backend, see conftest.py) or skip it
with ``--no-plot``.
"""

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    """Import ``examples/<name>.py`` as a module."""
    # as for a script run from a shell: its folder is on sys.path (mnist1d_gru
    # imports mnist1d_cnn's loader)
    if str(EXAMPLES_DIR) not in sys.path:
        sys.path.append(str(EXAMPLES_DIR))
    path = EXAMPLES_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"skdeep_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_fast(name, capsys, *options):
    status = load_example(name).main(["--fast", *options])
    out = capsys.readouterr().out
    assert status == 0, out
    return out


def assert_png(path, out):
    """``path`` is a PNG file that the example said it saved."""
    pytest.importorskip("matplotlib")
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {path}" in out


def run_drawing(name, capsys, tmp_path, *options):
    """``run_fast`` with ``--out`` when matplotlib is installed, else ``--no-plot``.

    Returns the output and the PNG's path (None without matplotlib).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return run_fast(name, capsys, "--no-plot", *options), None
    png = tmp_path / f"{name}.png"
    out = run_fast(name, capsys, "--out", str(png), *options)
    assert_png(png, out)
    return out, png


# Every example: a docstring, and a --help that names these options.
CONVNET, LANGUAGE_MODEL = ["--fast", "--verbose"], ["--fast", "--epochs"]
DRAWS = ["--out", "--no-plot"]
EXAMPLE_OPTIONS = {
    "perceptron_and_or": ["--fast"], "linear_unit_salary": ["--fast", *DRAWS],
    "dnnjs_logistic_and_mlp": ["--fast"], "keras_mlp_mnist": ["--fast", *DRAWS],
    "convnetjs_mnist": CONVNET + DRAWS,
    "lenet5_mnist": [*CONVNET, *DRAWS, "--shift", "--compare"],
    "mnist1d_cnn": CONVNET,
    "mnist1d_gru": ["--fast", "--hidden-size", "--data"],
    "sequence_forecast": ["--fast", "--cell", "--window", *DRAWS],
    "sst_recursive": ["--fast", "--composition", "--data", "--average"],
    "plot_feature_maps": [*CONVNET, "--out"],
    "plot_first_layer_filters": ["--fast", "--out"],
    "plot_trainer_comparison": ["--epochs", *DRAWS],
    "char_rnn_shakespeare": LANGUAGE_MODEL, "ptb_word_lm": LANGUAGE_MODEL,
    "dnnjs_rbm_dbn": ["--fast"], "rbm_digits_features": ["--fast", *DRAWS],
    "dbn_mnist": ["--fast", *DRAWS],
    "mnist_autoencoder": ["--fast", "--mnist", "--plot", "--code"],
    "cartpole_dqn": ["--fast", "--seeds", "--plot"],
    "stream_larger_than_memory": ["--fast", "--budget-mb", "--times", "--method"],
}


def test_every_example_is_listed():
    assert set(EXAMPLE_OPTIONS) == {path.stem for path in EXAMPLES_DIR.glob("*.py")}


@pytest.mark.parametrize("name,options", sorted(EXAMPLE_OPTIONS.items()))
def test_example_has_docstring_and_cli(name, options, capsys):
    module = load_example(name)
    assert module.__doc__ and module.__doc__.strip()
    with pytest.raises(SystemExit) as excinfo:
        module.main(["--help"])
    assert excinfo.value.code == 0
    help_text = capsys.readouterr().out
    for option in options:
        assert option in help_text


def test_perceptron_and_or(capsys):
    out = run_fast("perceptron_and_or", capsys)
    # Seed 004 part 1: the AND perceptron ends at weights [0.1, 0.2], bias -0.2.
    assert "AND: weights [0.1, 0.2], bias -0.2" in out
    assert "1 and 1 = 1, 0 and 0 = 0, 1 and 0 = 0, 0 and 1 = 0" in out
    assert "1 or 1 = 1, 0 or 0 = 0, 1 or 0 = 1, 0 or 1 = 1" in out
    assert "XOR: the perceptron cannot separate it" in out


def test_linear_unit_salary(capsys):
    out = run_fast("linear_unit_salary", capsys, "--no-plot")
    # SPEC §3: learn_dl's linear_unit.py, exact in float64.
    assert "weights: [1124.0634970262222]" in out
    assert "bias: 85.48528882583837" in out
    for years, salary in [("3.4", "3907.30"), ("15", "16946.44"),
                          ("1.5", "1771.58"), ("6.3", "7167.09")]:
        assert f"Work {years} years, monthly salary = {salary}" in out


def test_dnnjs_logistic_and_mlp(capsys):
    out = run_fast("dnnjs_logistic_and_mlp", capsys)
    assert "MLPNet(hidden_layer_sizes=()" in out
    assert "MLPNet((4, 4, 5), activation='logistic'" in out
    assert out.count("decisions hold") == 4  # 2 random states x 2 models
    assert "DIFFER" not in out
    assert "hold for all 2 random states" in out


def test_dnnjs_decisions_over_five_random_states():
    # SPEC §3 is statistical for these: assert over several seeds, not one.
    ex = load_example("dnnjs_logistic_and_mlp")
    from skdeep import MLPNet

    for rs in range(5):
        lr = MLPNet(hidden_layer_sizes=(), random_state=rs, **ex.SOLVER)
        assert ex.decisions_hold(lr.fit(ex.X_LR, ex.y).predict_proba(ex.TEST_LR))
        mlp = MLPNet((4, 4, 5), activation="logistic", random_state=rs, **ex.SOLVER)
        assert ex.decisions_hold(
            mlp.fit(ex.X_MLP, ex.y).predict_proba(ex.TEST_MLP))


def test_linear_unit_salary_draws_the_fit_and_its_loss(tmp_path, capsys):
    out, _ = run_drawing("linear_unit_salary", capsys, tmp_path)
    assert "weights: [1124.0634970262222]" in out


def test_keras_mlp_mnist(tmp_path, capsys):
    out, _ = run_drawing("keras_mlp_mnist", capsys, tmp_path)
    # Without --mnist the seed's net runs on scikit-learn's 8x8 digits.
    assert "64-500-500-10" in out and "digits" in out
    rows = re.findall(r"^(squared_error|log_loss)\s+(\d+)\s+([\d.]+)\s+([\d.]+)$",
                      out, flags=re.MULTILINE)
    assert [r[0] for r in rows] == ["squared_error", "log_loss"]
    for _, epochs, accuracy, _seconds in rows:
        assert int(epochs) == 2
        assert 0.0 <= float(accuracy) <= 1.0


def test_keras_mlp_mnist_reads_idx_files(tmp_path, capsys):
    # --mnist goes through skdeep.datasets.load_mnist; tiny fake IDX files suffice.
    import numpy as np

    from tests.test_datasets import make_split

    make_split(tmp_path, "train", n=120, rows=28, cols=28, seed=0)
    make_split(tmp_path, "t10k", n=10, rows=28, cols=28, seed=1)
    status = load_example("keras_mlp_mnist").main(
        ["--mnist", str(tmp_path), "--fast", "--loss", "log_loss", "--no-plot"])
    out = capsys.readouterr().out
    assert status == 0
    assert "784-500-500-10" in out and "120 training / 10 test" in out
    assert np.all([line.split()[0] == "log_loss" for line in out.splitlines()
                   if re.match(r"^(squared_error|log_loss)\s+\d", line)])


# --------------------------------------------------------------- convnet examples
def parse_test_error(out):
    match = re.search(r"^test error: ([\d.]+)% \(accuracy ([\d.]+)\)$", out,
                      flags=re.MULTILINE)
    assert match, out
    error, accuracy = float(match.group(1)), float(match.group(2))
    assert 0.0 <= error <= 100.0
    assert accuracy == pytest.approx(1 - error / 100, abs=1e-4)
    return error


def test_convnetjs_mnist(tmp_path, capsys):
    out, _ = run_drawing("convnetjs_mnist", capsys, tmp_path)
    # Without --mnist the demo net runs on 8x8 digits, with both pools 2/2.
    assert "ConvNetJS MNIST demo net on digits" in out
    assert "pool 2/2, softmax 10 (maps 8x8 -> 4x4 -> 2x2, 64 features)" in out
    assert "trainer: sgd (lr 0.01, momentum 0.9, batch 32, l2_decay 0.001)" in out
    assert "300 training / 300 test images" in out
    assert "epochs: 2," in out
    parse_test_error(out)
    assert re.search(r"total: [\d.]+ minutes", out)


def test_convnetjs_mnist_monitor_matches_one_fit(capsys):
    # --monitor trains by warm-started one-epoch fits: the same model as one fit.
    ex = load_example("convnetjs_mnist")
    X_train, X_test, y_train, y_test, name = ex.load_data(train_size=200)
    one = ex.train(ex.make_net(name, "adadelta", epochs=2), X_train, y_train,
                   X_test, y_test)
    by_epoch = ex.train(ex.make_net(name, "adadelta", epochs=2), X_train, y_train,
                        X_test, y_test, monitor=True)
    out = capsys.readouterr().out
    assert out.count("test error") == 2 and "epoch 2:" in out
    assert by_epoch.max_iter == 2 and not by_epoch.warm_start
    assert by_epoch.loss_curve_ == one.loss_curve_
    assert (by_epoch.predict(X_test) == one.predict(X_test)).all()


def test_convnetjs_mnist_reads_idx_files(tmp_path, capsys):
    from tests.test_datasets import make_split

    make_split(tmp_path, "train", n=60, rows=28, cols=28, seed=0)
    make_split(tmp_path, "t10k", n=10, rows=28, cols=28, seed=1)
    status = load_example("convnetjs_mnist").main(
        ["--mnist", str(tmp_path), "--fast", "--solver", "adadelta", "--no-plot"])
    out = capsys.readouterr().out
    assert status == 0
    assert "maps 28x28 -> 14x14 -> 4x4, 256 features" in out
    assert "trainer: adadelta (batch 20, l2_decay 0.001)" in out
    assert "60 training / 10 test images" in out
    parse_test_error(out)


def test_lenet5_mnist(tmp_path, capsys):
    out, _ = run_drawing("lenet5_mnist", capsys, tmp_path)
    # On digits C3 is 3x3: 8x8 -> 4x4 -> 2x2 -> 1x1, 16 features into fc 120.
    assert "LeNet-5-style net on digits" in out
    assert "conv 16@3x3, pool 2, fc 120, fc 84, softmax 10" in out
    assert "maps 8x8 -> 4x4 -> 2x2 -> 1x1, 16 features into fc 120" in out
    assert "trainer: adam (lr 0.001, batch 32, l2_decay 0.001)" in out
    assert "epochs: 2," in out
    parse_test_error(out)


def test_lenet5_mnist_compares_with_and_without_augmentation(capsys):
    status = load_example("lenet5_mnist").main(["--fast", "--shift", "1",
                                                "--compare"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "augment: None" in out and "augment: {'shift': 1, 'scale': 0.0}" in out
    errors = re.search(r"same budget: ([\d.]+)% without augmentation, ([\d.]+)% "
                       r"with", out)
    assert errors and all(0 <= float(e) <= 100 for e in errors.groups())


def test_lenet5_mnist_reads_idx_files(tmp_path, capsys):
    from tests.test_datasets import make_split

    make_split(tmp_path, "train", n=60, rows=28, cols=28, seed=0)
    make_split(tmp_path, "t10k", n=10, rows=28, cols=28, seed=1)
    status = load_example("lenet5_mnist").main(
        ["--mnist", str(tmp_path), "--fast", "--activation", "tanh", "--no-plot"])
    out = capsys.readouterr().out
    assert status == 0
    assert "conv 16@5x5" in out and "(tanh;" in out
    assert "maps 28x28 -> 14x14 -> 10x10 -> 5x5, 400 features into fc 120" in out
    parse_test_error(out)


def test_mnist1d_cnn(tmp_path, capsys):
    # A tiny stand-in for mnist1d.npz with the same keys and signal length.
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist1d.npz"
    np.savez(path, x=rng.normal(size=(120, 40)), y=np.arange(120) % 10,
             x_test=rng.normal(size=(30, 40)), y_test=np.arange(30) % 10,
             t=np.linspace(0, 1, 40))
    status = load_example("mnist1d_cnn").main(
        ["--data", str(path), "--fast", "--seeds", "0", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "linear 125->10; Adam lr 0.01, batch 100" in out
    assert "120 training / 30 test signals of length 40" in out
    rows = re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)$", out, flags=re.MULTILINE)
    assert [r[0] for r in rows] == ["0", "1"]
    mean = float(re.search(r"mean test accuracy over 2 seed\(s\): ([\d.]+)",
                           out).group(1))
    assert mean == pytest.approx(np.mean([float(r[1]) for r in rows]), abs=1e-4)


def test_mnist1d_gru(tmp_path, capsys):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist1d.npz"
    np.savez(path, x=rng.normal(size=(120, 40)), y=np.arange(120) % 10,
             x_test=rng.normal(size=(30, 40)), y_test=np.arange(30) % 10)
    status = load_example("mnist1d_gru").main(
        ["--data", str(path), "--fast", "--seeds", "0", "--hidden-size", "4"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "bidirectional GRU of 4 units per direction" in out
    assert "120 training / 30 test sequences of 40 steps" in out
    assert re.search(r"mean test accuracy over 1 seed\(s\): [\d.]+", out)


def test_sequence_forecast(tmp_path, capsys):
    out, _ = run_drawing("sequence_forecast", capsys, tmp_path)
    rows = dict(re.findall(r"^\s*(.+?): held-out RMSE ([\d.]+)$", out, re.MULTILINE))
    assert set(rows) == {"RNNRegressor('lstm')", "ridge on the window",
                         "seasonal naive (a day earlier)"}


@pytest.mark.parametrize("composition", ["rnn", "rntn"])
def test_sst_recursive(composition, capsys):
    ex = load_example("sst_recursive")
    assert ex.main(["--fast", "--composition", composition, "--dim", "4"]) == 0
    out = capsys.readouterr().out
    assert "TINY embedded treebank (no --data given" in out
    assert re.search(r"test: fine-grained root [\d.]+, all nodes [\d.]+, binary "
                     r"root [\d.]+", out)


def test_mnist1d_cnn_budgets_and_synthetic_fallback(tmp_path, capsys):
    ex = load_example("mnist1d_cnn")
    # The paper's 6000 steps of batch 100 over 4000 signals are 150 epochs.
    assert ex.main(["--fast", "--seeds", "0"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC 1-D data (no --data given" in out
    net = ex.paper_cnn(epochs=round(6000 * 100 / 4000))
    assert net.max_iter == 150 and net.l2_decay == 0 and net.batch_size == 100
    X, _, _, _, _ = ex.load_data()
    assert X.shape == (4000, 1, 1, 40)
    with pytest.raises(SystemExit):  # an explicit --data that is missing: an error
        ex.main(["--data", str(tmp_path / "nope.npz"), "--fast"])


# ------------------------------------------------------- language-model examples
@pytest.fixture
def one_blas_thread():
    """The language-model smoke runs use tiny matrices: extra BLAS threads only
    add synchronisation (and stall badly on a busy machine)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1):
        yield


def parse_epochs(out):
    """``(epoch, validation bits/char)`` of every epoch line of char_rnn."""
    return [(int(e), float(v)) for e, v in re.findall(
        r"^epoch (\d+): lr [\d.e+-]+, train loss [\d.]+ bits/char, validation "
        r"([\d.]+) bits/char",
        out, flags=re.MULTILINE)]


def test_char_rnn_shakespeare(tmp_path, one_blas_thread, capsys):
    text = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\n"
            "All:\nSpeak, speak.\n\n") * 40
    path = tmp_path / "tiny.txt"
    path.write_text(text, encoding="utf-8")
    ex = load_example("char_rnn_shakespeare")
    assert ex.main(["--text", str(path), "--fast", "--epochs", "2",
                    "--prompt", "All:"]) == 0
    out = capsys.readouterr().out
    assert f"text: {path}" in out
    n_train = int(len(text) * 0.9)
    assert f"{n_train:,} training / {len(text) - n_train:,} validation" in out
    epochs = parse_epochs(out)
    assert [e for e, _ in epochs] == [1, 2]
    assert epochs[1][1] < epochs[0][1]  # it learns the repeated dialogue
    assert out.count("--- sample (temperature 0.8) ---\nAll:") == 2
    best = float(re.search(r"best validation: ([\d.]+) bits", out).group(1))
    assert best == min(v for _, v in epochs)


def test_char_rnn_bits_per_char_is_the_score():
    ex = load_example("char_rnn_shakespeare")
    train, valid = ex.split_text("abcd" * 100)
    assert len(train) == 360 and train + valid == "abcd" * 100
    from skdeep import RNNLanguageModel

    lm = RNNLanguageModel(hidden_size=8, bptt=8, batch_size=4, max_iter=1,
                          random_state=0).fit([train])
    assert ex.bits_per_char(lm, valid) == pytest.approx(
        -lm.score([valid]) / np.log(2))


def test_char_rnn_falls_back_to_sklearn_descriptions(tmp_path, one_blas_thread,
                                                     capsys):
    ex = load_example("char_rnn_shakespeare")
    assert ex.main(["--fast", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "no --text given: using scikit-learn's dataset descriptions" in out
    assert len(parse_epochs(out)) == 1
    assert ex.main(["--text", str(tmp_path / "nope.txt"), "--fast"]) == 1
    assert "no text file" in capsys.readouterr().err


def write_tiny_ptb(directory):
    """Three PTB-like files: one sentence a line, leading space, <unk> and N."""
    rng = np.random.default_rng(0)
    subjects = ["the company", "the bank", "mr. <unk>", "the market"]
    verbs = ["said", "rose", "fell", "reported"]
    objects = ["N %", "its profit", "the <unk> stock", "N million shares"]
    for name, n in (("ptb.train.txt", 300), ("ptb.valid.txt", 40),
                    ("ptb.test.txt", 40)):
        lines = [f" {subjects[rng.integers(4)]} {verbs[rng.integers(4)]} "
                 f"{objects[rng.integers(4)]} " for _ in range(n)]
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def parse_perplexities(out):
    found = {}
    for split in ("valid", "test"):
        match = re.search(rf"^{split} perplexity: ([\d.]+) per line \(each sentence "
                          r"from a zero state\), ([\d.]+) as one stream$", out,
                          flags=re.MULTILINE)
        assert match, out
        found[split] = (float(match.group(1)), float(match.group(2)))
    return found


def test_ptb_word_lm(tmp_path, one_blas_thread, capsys):
    write_tiny_ptb(tmp_path)
    ex = load_example("ptb_word_lm")
    assert ex.main(["--data", str(tmp_path), "--fast"]) == 0
    out = capsys.readouterr().out
    assert "300 / 40 / 40 sentences" in out
    assert re.search(r"^epoch  2: lr [\d.e+-]+  train ppl", out, flags=re.MULTILINE)
    ppl = parse_perplexities(out)
    # the toy grammar has about 4 choices per slot: far below its vocabulary
    assert 1 < ppl["test"][0] < 15 and 1 < ppl["test"][1] < 15
    assert ("Kneser-Ney 5-gram 141.2, Mikolov's RNN-LM 124.7, Zaremba et al.'s small "
            "LSTM 114.5 (stream)") in out
    assert re.search(r"^total: [\d.]+ minutes$", out, flags=re.MULTILINE)
    # the model kept is the epoch of the lowest validation perplexity
    valid = [float(v) for v in re.findall(r"valid ppl \(per line\)\s+([\d.]+)", out)]
    best = int(re.search(r"best epoch (\d+)", out).group(1))
    assert valid[best - 1] == min(valid)
    assert f"valid perplexity: {min(valid):.2f} per line" in out


def test_ptb_stream_and_per_line_conventions_predict_the_same_tokens(tmp_path):
    write_tiny_ptb(tmp_path)
    ex = load_example("ptb_word_lm")
    train, valid, _ = ex.load_ptb(tmp_path)
    from skdeep import RNNLanguageModel

    lm = RNNLanguageModel("word", hidden_size=8, embedding_dim=4, bptt=10,
                          batch_size=4, max_iter=1, random_state=0).fit(train)
    # Mikolov's vocabulary: the training types (<unk> included) plus <eos>
    assert len(lm.vocabulary_) == len({w for line in train for w in line.split()}) + 1
    # per line: words + one <eos> each; the stream predicts the same tokens
    _, counts = lm._scan(valid, "score")
    assert counts.sum() == ex.n_tokens(valid)
    _, stream_counts = lm._scan([" <eos> ".join(valid)], "score")
    assert stream_counts.sum() == ex.n_tokens(valid)
    assert np.isfinite(ex.stream_perplexity(lm, valid))


def test_ptb_word_lm_needs_its_data(capsys):
    # the Penn Treebank does not ship with skdeep: --data is required
    with pytest.raises(SystemExit) as excinfo:
        load_example("ptb_word_lm").main(["--fast"])
    assert excinfo.value.code == 2
    assert "--data" in capsys.readouterr().err


def test_ptb_word_lm_missing_files(tmp_path, capsys):
    assert load_example("ptb_word_lm").main(["--data", str(tmp_path), "--fast"]) == 1
    assert "no ptb.train.txt" in capsys.readouterr().err


# ------------------------------------------------------------ RBM / DBN examples
def test_dnnjs_rbm_dbn(capsys):
    out = run_fast("dnnjs_rbm_dbn", capsys)
    # SPEC §3: rbm.js, crbm.js, dbn.js and cdbn.js, each next to dnn.js's output.
    for label in ("rbm.js reconstruct", "rbm.js hidden", "crbm.js reconstruct",
                  "crbm.js hidden", "dbn.js predict_proba", "cdbn.js predict_proba"):
        assert f"  {label}\n    dnn.js : [[" in out
    assert out.count("(same pattern as dnn.js)") == 4 and "DIFFERS" not in out
    assert "DBNClassifier((10, 12, 11, 8, 6, 4), visible_units='continuous'" in out
    assert re.search(r"dbn\.js\s+2 of 2 classify rows 1-2 with p >= 0\.9", out)
    assert re.search(r"cdbn\.js\s+2 of 2 classify rows 1-2 with p >= 0\.9", out)
    assert "All checks hold" in out


def test_dnnjs_rbm_dbn_checks_fail_loudly():
    ex = load_example("dnnjs_rbm_dbn")
    collapsed = np.full((3, 2), 0.5)
    assert not ex.dbn_holds(collapsed)
    assert ex.dbn_holds(np.array([[0.95, 0.05], [0.02, 0.98], [0.5, 0.5]]))
    assert ex.rbm_holds(np.array(ex.DNNJS["rbm.js reconstruct"]),
                        np.array(ex.DNNJS["rbm.js hidden"]))
    assert ex.crbm_holds(np.array(ex.DNNJS["crbm.js reconstruct"]),
                         np.array(ex.DNNJS["crbm.js hidden"]))
    # the same hidden unit for both rows is not the clustering of rbm.js
    assert not ex.rbm_holds(np.array(ex.DNNJS["rbm.js reconstruct"]),
                            np.array([[0.0, 1.0], [0.0, 1.0]]))


def test_rbm_digits_features(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_png = tmp_path / "components.png"
    status = load_example("rbm_digits_features").main(
        ["--fast", "--out", str(out_png)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "digits: 1347 training / 450 test images, pixels / 16" in out
    assert "RBMTransformer(n_components=25, learning_rate=0.06, batch_size=10, " \
           "n_iter=3, random_state=0) -> LogisticRegression(C=100)" in out
    rows = dict(re.findall(r"^(RBM features \+ logistic|raw pixels \+ logistic)"
                           r"\s+([\d.]+)\s+[\d.]+$", out, flags=re.MULTILINE))
    assert set(rows) == {"RBM features + logistic", "raw pixels + logistic"}
    assert all(0.5 < float(acc) <= 1.0 for acc in rows.values())
    assert out_png.is_file() and out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {out_png}" in out


def test_rbm_digits_features_nudge_shifts_by_one_pixel():
    ex = load_example("rbm_digits_features")
    X = np.zeros((1, 64))
    X[0, 3 * 8 + 4] = 1.0  # pixel (3, 4)
    X_big, y_big = ex.nudge(X, np.array([7]))
    assert X_big.shape == (5, 64) and list(y_big) == [7] * 5
    on = [tuple(np.argwhere(img.reshape(8, 8))[0]) for img in X_big]
    assert on == [(3, 4), (2, 4), (4, 4), (3, 3), (3, 5)]


def test_rbm_digits_features_without_matplotlib(tmp_path, no_matplotlib, capsys):
    status = load_example("rbm_digits_features").main(
        ["--fast", "--out", str(tmp_path / "x.png")])
    assert status == 1
    err = capsys.readouterr().err
    assert "needs matplotlib" in err and "--no-plot" in err
    assert not (tmp_path / "x.png").exists()


def test_dbn_mnist(tmp_path, capsys):
    out, _ = run_drawing("dbn_mnist", capsys, tmp_path)
    # Without --mnist the DBN runs on 8x8 digits.
    assert "DBN 64-32-32-64-10 on digits: 300 training / 300 test images" in out
    assert "pre-training: 3 RBMs, CD-1, 2 passes each, lr 0.1, batch 10" in out
    assert ("fine-tuning: sgd (lr 0.1, Nesterov momentum 0.9), batch 16, "
            "dropout 0.2, 2 epochs") in out
    assert re.search(r"^pre-training: [\d.]+ minutes \(3 RBMs\)$", out,
                     flags=re.MULTILINE)
    assert re.search(r"^fine-tuning: [\d.]+ minutes \(2 epochs, [\d.]+ s each\)$",
                     out, flags=re.MULTILINE)
    parse_test_error(out)


def test_dbn_mnist_two_step_fit_is_one_fit():
    # The script fits 1 epoch, then warm-starts the rest: the same model as one fit.
    ex = load_example("dbn_mnist")
    X_train, X_test, y_train, y_test, _ = ex.load_data(max_train=200)
    settings = dict(ex.DEFAULTS["digits"], solver="sgd", **dict(ex.FAST, epochs=3))
    one = ex.make_dbn(settings).fit(X_train, y_train)
    two, first, rest = ex.train(ex.make_dbn(settings), X_train, y_train,
                                X_test, y_test)
    assert first > 0 and rest > 0
    assert two.max_iter == 3 and not two.warm_start and len(two.loss_curve_) == 3
    np.testing.assert_array_equal(two.predict_proba(X_test),
                                  one.predict_proba(X_test))


def test_dbn_mnist_reads_idx_files(tmp_path, capsys):
    from tests.test_datasets import make_split

    make_split(tmp_path, "train", n=60, rows=28, cols=28, seed=0)
    make_split(tmp_path, "t10k", n=10, rows=28, cols=28, seed=1)
    status = load_example("dbn_mnist").main(
        ["--mnist", str(tmp_path), "--fast", "--no-pretrain", "--solver", "adam",
         "--batch-size", "20", "--no-plot"])
    out = capsys.readouterr().out
    assert status == 0
    assert "DBN 784-32-32-64-10 on mnist: 60 training / 10 test images" in out
    assert "pre-training: none (random initialisation)" in out
    assert "fine-tuning: adam (lr 0.001), batch 20, dropout 0.3, 2 epochs" in out
    assert "pre-training: 0.00 minutes (0 RBMs)" in out
    parse_test_error(out)


def test_mnist_autoencoder(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "codes.png"
    status = load_example("mnist_autoencoder").main(["--fast", "--plot", str(plot)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "ConvNetJS demo (50-50-2" in out and "PCA(10)" in out
    assert re.search(r"test MSE 0\.\d+", out)
    assert plot.stat().st_size > 1000


# ------------------------------------------------------------ deep Q-learning
def test_cartpole_dqn(capsys):
    status = load_example("cartpole_dqn").main(["--fast", "--seeds", "0", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "agent: Q-network 4-64-64-2 relu, adam lr 0.0001, huber loss" in out
    rows = re.findall(r"^seed (\d): (solved after|NOT solved in) (\d+) episodes",
                      out, flags=re.MULTILINE)
    assert [r[0] for r in rows] == ["0", "1"]
    assert all(int(r[2]) <= 30 for r in rows)
    assert re.search(r"^solved [012] of 2 seed\(s\) \(greedy policy\), [012] of 2 "
                     r"by the training returns too", out, flags=re.MULTILINE)
    assert out.count("  training returns (exploring, learning): ") == 2


def test_cartpole_dqn_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_png = tmp_path / "returns.png"
    status = load_example("cartpole_dqn").main(
        ["--fast", "--seeds", "3", "--plot", str(out_png)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out_png.is_file() and out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {out_png}" in out


def test_cartpole_dqn_evaluation_stops_when_195_is_out_of_reach():
    ex = load_example("cartpole_dqn")
    from skdeep.rl import CartPole

    agent = ex.make_agent(0)
    env = CartPole()
    env.reset(seed=0)
    mean, played = ex.evaluate(agent, env, 100)  # an untrained policy
    assert played < 10 and mean < 195


def test_cartpole_dqn_without_matplotlib(tmp_path, no_matplotlib, capsys):
    status = load_example("cartpole_dqn").main(
        ["--fast", "--plot", str(tmp_path / "x.png")])
    assert status == 1
    assert "--plot needs matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


# ------------------------------------------------------------ streaming example
@pytest.mark.parametrize("method", ["incremental", "loop"])
def test_stream_larger_than_memory(method, capsys):
    pytest.importorskip("dask")
    if method == "incremental":
        pytest.importorskip("dask_ml")
    status = load_example("stream_larger_than_memory").main(
        ["--fast", "--method", method])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "131,072 rows x 64 float32 features" in out and "32 blocks" in out
    budget = float(re.search(r"memory budget: ([\d.]+) MiB above", out).group(1))
    data = float(re.search(r"= ([\d,]+) MiB in", out).group(1).replace(",", ""))
    assert data >= 4 * budget  # several times the budget
    growth = float(re.search(r"MiB \(.*\), ([\d.]+) MiB above the footprint",
                             out).group(1))
    assert 0 <= growth <= budget
    assert f"method: {method}" in out and "within budget: yes" in out
    assert float(re.search(r"test accuracy: ([\d.]+)", out).group(1)) > 0.5


def test_stream_example_blocks_are_reproducible():
    ex = load_example("stream_larger_than_memory")
    X1, y1 = ex.make_block(3, 10)
    X2, y2 = ex.make_block(3, 10)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(ex.make_block(3, 10, test=True)[0], X1)
