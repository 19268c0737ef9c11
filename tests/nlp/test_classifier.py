"""The text classifier: learning, suggestions, model files, CSV input, the console command."""
import json
import random
from pathlib import Path

import pytest

from shiyu.cli import main
from shiyu.nlp import classifier as nlp
from shiyu.nlp.classifier import Classifier, DataError, ModelError, Suggestion, evaluate, read_csv, train

ROOT = Path(__file__).resolve().parents[2]
TIPDM = ROOT.parent / "shared" / "data" / "tipdm2020" / "classify_train.csv"

TOPICS = {
    "路灯": ["路灯不亮", "路灯坏了", "夜里路灯熄灭", "灯杆倾斜"],
    "噪音": ["夜间施工噪音", "广场舞音响太吵", "装修噪音扰民", "酒吧噪声"],
    "供水": ["自来水停水", "水管爆裂漏水", "水压太低", "自来水发黄"],
}
PLACES = ["幸福小区", "人民路", "东湖街道", "光明社区", "建设路口", "第三中学旁"]


def synthetic(n_per_label: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for label, phrases in TOPICS.items():
        for _ in range(n_per_label):
            texts.append(f"{rng.choice(PLACES)}{rng.choice(phrases)}，请尽快处理{rng.choice(phrases)}的问题")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> Classifier:
    return train(*synthetic(15), n_jobs=1)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_learns_a_small_set(model):
    texts, labels = synthetic(10, seed=1)
    figures = evaluate(model, texts, labels)
    assert figures["macro_f1"] >= 0.9
    assert set(figures["per_class"]) == set(TOPICS)
    assert figures["n"] == 30 and figures["docs_per_second"] > 0
    assert model.suggest("幸福小区的路灯坏了好几天")[0].label == "路灯"


def test_tiny_data_trains():
    tiny = train(["路灯坏了", "路灯不亮", "灯不亮了", "路灯熄灭", "路灯倒了",
                  "噪音扰民", "施工噪音", "音响太吵", "夜里很吵", "装修噪声"], ["灯"] * 5 + ["吵"] * 5)
    assert [s.label for s in tiny.suggest("路灯又坏了", k=2)][0] == "灯"


def test_top_k_sorted_and_probabilities_bounded(model):
    suggestions = model.suggest("人民路自来水停水，水压太低", k=2)
    assert len(suggestions) == 2 and all(isinstance(s, Suggestion) for s in suggestions)
    probabilities = [s.probability for s in suggestions]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 <= p <= 1 for p in probabilities) and sum(probabilities) <= 1 + 1e-9
    everything = model.suggest("人民路自来水停水", k=10)
    assert len(everything) == 3 and abs(sum(s.probability for s in everything) - 1) < 1e-6


@pytest.mark.parametrize("text", ["", "   ", "灯", "！？。", "..."])
def test_nothing_to_judge_gives_no_suggestion(model, text):
    assert model.suggest(text) == []


def test_long_and_mixed_text_do_not_raise(model):
    assert model.suggest("路灯坏了" * 12_500)  # 50,000 characters
    assert model.suggest("The street light 路灯 on Renmin Road is broken, please fix ASAP!!")
    assert model.suggest("\x00\ufffd\U0001F600 abc 路灯") is not None


def test_suggest_many_matches_suggest(model):
    texts = ["幸福小区路灯不亮", "", "装修噪音扰民"]
    assert model.suggest_many(texts) == [model.suggest(t) for t in texts]


def test_save_and_load_give_the_same_suggestions(model, tmp_path):
    path = tmp_path / "model.shiyu"
    model.save(path)
    loaded = Classifier.load(path)
    assert loaded.labels == model.labels
    for text in ["光明社区自来水发黄", "酒吧噪声太大", "灯杆倾斜"]:
        assert loaded.suggest(text) == model.suggest(text)
    assert loaded.metadata["libraries"]["jieba"] and loaded.metadata["trained_at"]
    assert loaded.metadata["metrics"]["n"] == 45


@pytest.fixture
def saved(model, tmp_path) -> Path:
    path = tmp_path / "model.shiyu"
    model.save(path)
    return path


def test_truncated_file(saved):
    saved.write_bytes(saved.read_bytes()[:-100])
    with pytest.raises(ModelError, match="truncated"):
        Classifier.load(saved)


def test_corrupt_payload(saved):
    data = bytearray(saved.read_bytes())
    data[-50] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged"):
        Classifier.load(saved)


@pytest.mark.parametrize("content", [b"", b"hello\n", b"\x80\x04\x95 pickle", b'{"format": "other"}\n', b"[1]\n"])
def test_not_a_model(tmp_path, content):
    path = tmp_path / "model.shiyu"
    path.write_bytes(content)
    with pytest.raises(ModelError, match="not a Shiyu classifier"):
        Classifier.load(path)


@pytest.mark.parametrize("field, value, message", [
    ("format_version", 999, "format version 999"),
    ("libraries", {"jieba": "0.1"}, "jieba 0.1"),
])
def test_other_versions(saved, field, value, message):
    header, _, payload = saved.read_bytes().partition(b"\n")
    header = json.loads(header)
    header[field] = value
    saved.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    with pytest.raises(ModelError, match=message):
        Classifier.load(saved)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="cannot read"):
        Classifier.load(tmp_path / "nothing")


def test_read_csv_with_other_columns(tmp_path):
    path = write_csv(tmp_path / "d.csv", "\ufeff内容,类别\n路灯坏了,灯\n很吵,吵\n,吵\n")
    assert read_csv(path, text_col="内容", label_col="类别") == (["路灯坏了", "很吵"], ["灯", "吵"])


@pytest.mark.parametrize("content, encoding, message", [
    ("", "utf-8", "empty"),
    ("body,label\n路灯坏了,灯\n", "utf-8", "no column text"),
    ("text,label\n", "utf-8", "no rows"),
    ("text,label\n路灯坏了,灯\n路灯不亮,灯\n", "utf-8", "only one label"),
    ("text,label\n路灯坏了,灯\n很吵,吵\n", "gbk", "not UTF-8"),
])
def test_bad_csv(tmp_path, content, encoding, message):
    with pytest.raises(DataError, match=message):
        read_csv(write_csv(tmp_path / "d.csv", content, encoding))


def test_bad_training_input():
    with pytest.raises(DataError):
        train(["a", "b"], ["x"])
    with pytest.raises(DataError):
        train(["路灯坏了", "路灯不亮"], ["灯", "灯"])
    with pytest.raises(TypeError):
        train(*synthetic(2), no_such_parameter=1)


def test_cross_validate_small():
    figures = nlp.cross_validate(*synthetic(6), folds=3)
    assert 0 <= figures["macro_f1"]["mean"] <= 1 and len(figures["macro_f1"]["per_fold"]) == 3
    assert 0 <= figures["ece"] <= 1
    with pytest.raises(DataError, match="rarest label"):
        nlp.cross_validate(*synthetic(2), folds=3)


def test_duplicate_groups():
    groups = nlp.duplicate_groups(["幸福小区路灯坏了一个星期没人修", "幸福小区路灯坏了一个星期没人修！",
                                   "人民路自来水停水三天了", "人民路装修噪音扰民"])
    assert groups[0] == groups[1] and len({groups[0], groups[2], groups[3]}) == 3


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_cli_train_and_evaluate(tmp_path, capsys):
    texts, labels = synthetic(12)
    rows = "".join(f"{t},{label}\n" for t, label in zip(texts, labels))
    data = write_csv(tmp_path / "d.csv", "text,label\n" + rows)
    out = tmp_path / "m.shiyu"
    assert main(["classifier", "train", "--data", str(data), "--out", str(out), "--json"]) == 0
    assert last_json(capsys.readouterr().out)["n"] == 36
    assert main(["classifier", "evaluate", "--model", str(out), "--data", str(data), "--json"]) == 0
    figures = last_json(capsys.readouterr().out)
    assert {"macro_f1", "accuracy", "per_class", "docs_per_second"} <= set(figures)


def test_cli_errors_exit_2_without_traceback(tmp_path, capsys):
    junk = write_csv(tmp_path / "junk.bin", "not a model")
    data = write_csv(tmp_path / "d.csv", "text,label\n路灯坏了,灯\n很吵,吵\n")
    assert main(["classifier", "evaluate", "--model", str(junk), "--data", str(data)]) == 2
    assert main(["classifier", "train", "--data", str(tmp_path / "none.csv"), "--out", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "not a Shiyu classifier" in err and "cannot read" in err and "Traceback" not in err


@pytest.mark.skipif(not TIPDM.exists(), reason="../shared/data/tipdm2020 is absent")
def test_tipdm_sample_learns():
    texts, labels = read_csv(TIPDM)
    sample = random.Random(0).sample(range(len(texts)), 1500)
    fit, held = sample[:1200], sample[1200:]
    model = train([texts[i] for i in fit], [labels[i] for i in fit])
    assert len(model.labels) == 7
    assert evaluate(model, [texts[i] for i in held], [labels[i] for i in held])["macro_f1"] > 0.75
