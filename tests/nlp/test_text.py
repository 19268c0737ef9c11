"""normalize, tokens and is_meaningful; tokens must cut exactly as jieba does."""
import re

import jieba
import pytest

from shiyu.nlp.text import is_meaningful, normalize, tokens

WORD = re.compile(r"[^\W_]")

SAMPLES = [
    "小区门口的路灯坏了一个星期，晚上很黑，老人出门不安全。",
    "Hello world 你好，世界！abc123 def 12345热线",
    "e-mail: a.b@c.com 电话13800138000_x000D_第二行",
    "ＡＢＣ全角１２３　空格",
    "日本語のテキスト와 한국어 😀 ok",
    "长株潭城铁开通串联市河东主城区B市C市主城区",
]


def test_normalize_folds_width_case_and_whitespace():
    assert normalize("  ＡＢＣ１２３\t\n 路灯_x000D_坏了 ") == "abc123 路灯 坏了"


@pytest.mark.parametrize("text", SAMPLES)
def test_tokens_match_jieba_without_hmm(text):
    expected = [w for w in jieba.lcut(normalize(text), HMM=False) if WORD.search(w)]
    assert tokens(text) == expected


def test_tokens_drop_punctuation_and_spaces():
    assert tokens("路灯坏了！！ ，。") == ["路灯", "坏", "了"]
    assert tokens("") == []


@pytest.mark.parametrize("text", ["", " ", "啊", "a", "！？。，", "...", "😀😀", None])
def test_not_meaningful(text):
    assert not is_meaningful(text)


@pytest.mark.parametrize("text", ["路灯", "ok", "12", "路灯坏了！"])
def test_meaningful(text):
    assert is_meaningful(text)
