"""Sources as readers expect them (issue 10 §1): on Chinese paper 《…》第九条, never a rule
key or a source code such as ``S1 art 9``; the rule keys stay in --json and the log."""

import pytest

import juwei.i18n as i18n
from juwei.i18n import chinese_number, cite, cited, number_from_chinese


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (16, "十六"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1259, "一千二百五十九"),
        (2001, "二千零一"),
    ],
)
def test_article_numbers_both_ways(n: int, words: str) -> None:
    assert chinese_number(n) == words
    assert number_from_chinese(words) == n


@pytest.mark.parametrize(
    ("source", "chinese", "english"),
    [
        (
            "SEED 钱牌 第四条; S1 art 9",
            "《钱牌社区自治章程》第四条；《城市居民委员会组织法》（2018年修正）第九条",
            "钱牌 community charter, art. 4; "
            "Organic Law of Urban Residents' Committees (2018), art. 9",
        ),
        ("S5 art 1259", "《民法典》第一千二百五十九条", "Civil Code, art. 1259"),
        (
            "S4 art 26 by analogy (village law, the urban law is silent)",
            "《村民委员会组织法》第二十六条（参照）",
            "Organic Law of Villagers' Committees, art. 26 "
            "(by analogy (village law, the urban law is silent))",
        ),
        (
            "S3 第十八条 (不足的名额另行选举)",
            "《城市居民委员会组织法》（2025年修订）第十八条（不足的名额另行选举）",
            "Organic Law of Urban Residents' Committees (2025), art. 18 (不足的名额另行选举)",
        ),
        (
            "P10 art 36",
            "《重庆市居民委员会选举办法》第三十六条",
            "Chongqing election measures (2025), art. 36",
        ),
        ("P4", "省级规定", "a provincial rule"),
        (
            "JUWEI: by analogy with count.elected",
            "本系统约定（参照）",
            "a convention of juwei (by analogy with count.elected)",
        ),
    ],
)
def test_a_source_reads_as_a_citation(source: str, chinese: str, english: str) -> None:
    i18n.set_language("zh_CN")
    assert cite(source) == chinese
    assert cited("罢免未通过。", source) == f"罢免未通过。（{chinese}）"
    i18n.set_language("en")
    assert cite(source) == english


def test_a_part_cited_twice_is_given_once() -> None:
    i18n.set_language("zh_CN")
    assert cite("S1 art 8; P5", "S1 art 8") == (
        "《城市居民委员会组织法》（2018年修正）第八条；"
        "《广西壮族自治区实施〈城市居民委员会组织法〉办法》"
    )
