"""A realistic synthetic community for demos, tests and benchmarks (no real person's data).

``synthetic_roll(n, groups, seed)`` yields roll rows: names from common surnames (compound
ones included), households of 1–4 voters, ID numbers with correct check digits and birth dates
giving adults of 18–95 on ``as_of``, a few 居住/工作 registrations. Deterministic per seed.
"""

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from juwei.rules.identity import check_character

if TYPE_CHECKING:
    from juwei.elections.readmodels import BallotPaper

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "钱汤尹黎易常武乔贺赖龚文单解仇区查"
)
COMPOUND = ("欧阳", "司马", "诸葛", "上官", "司徒")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强晓燕文斌"
    "海燕立新春梅丹凤宇轩子涵浩然欣怡雨桐俊杰佳怡梓涵一诺思远亮琳瑶嘉颖德胜福根金宝秋菊"
)
REGIONS = ("330482", "330402", "330411", "330421", "330424", "110105", "320583", "510104")


@dataclass(frozen=True)
class SyntheticVoter:
    """One row of a synthetic roll."""

    name: str
    id_number: str
    household: str
    group: str
    address: str
    registration: str  # 户籍 / 居住 / 工作
    residence_since: date | None
    consent: bool | None


def make_id_number(rng: random.Random, birth: date, sex: str) -> str:
    """A well-formed 18-digit ID number (GB 11643-1999) for ``birth`` and ``sex`` (M/F)."""
    region = rng.choice(REGIONS)
    seq = rng.randrange(0, 100) * 10
    gender_digit = rng.choice((1, 3, 5, 7, 9)) if sex == "M" else rng.choice((0, 2, 4, 6, 8))
    body = f"{region}{birth:%Y%m%d}{seq // 10:02d}{gender_digit}"
    return body + check_character(body)


def _name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND) if rng.random() < 0.02 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return surname + given


def synthetic_roll(
    n: int, *, groups: int = 16, seed: int = 2026, as_of: date = date(2026, 12, 20)
) -> Iterator[SyntheticVoter]:
    """Yield ``n`` voters in ``groups`` residents' groups (第1组 …), deterministic for ``seed``."""
    rng = random.Random(seed)
    used: set[str] = set()
    household_no = 0
    made = 0
    while made < n:
        household_no += 1
        group = f"第{rng.randrange(groups) + 1}组"
        size = min(rng.choice((1, 2, 2, 3, 3, 4)), n - made)
        surname_house = rng.choice(SURNAMES)
        address = f"{rng.randrange(1, 60)}幢{rng.randrange(1, 7)}单元{rng.randrange(101, 1806)}室"
        for _member in range(size):
            age_days = rng.randrange(18 * 366, 95 * 365)
            birth = as_of - timedelta(days=age_days)
            sex = rng.choice("MF")
            number = make_id_number(rng, birth, sex)
            while number in used:
                number = make_id_number(rng, birth, sex)
            used.add(number)
            name = _name(rng)
            if rng.random() < 0.6:
                name = surname_house + name[1:] if name[:2] not in COMPOUND else name
            roll = rng.random()
            registration, since, consent = "户籍", None, None
            if roll < 0.05:
                registration, since, consent = (
                    "居住",
                    as_of - timedelta(days=rng.randrange(400, 4000)),
                    True,
                )
            elif roll < 0.07:
                registration, consent = "工作", True
            yield SyntheticVoter(
                name=name,
                id_number=number,
                household=f"H{household_no:05d}",
                group=group,
                address=address,
                registration=registration,
                residence_since=since,
                consent=consent,
            )
            made += 1


def write_roll_csv(path: Path, voters: Iterator[SyntheticVoter] | list[SyntheticVoter]) -> int:
    """Write voters as a roll CSV (UTF-8 with BOM, Chinese headers). Returns rows written."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "姓名",
                "公民身份号码",
                "户号",
                "居民小组",
                "住址",
                "登记类别",
                "居住起始日期",
                "本人同意",
            ]
        )
        for v in voters:
            writer.writerow(
                [
                    v.name,
                    v.id_number,
                    v.household,
                    v.group,
                    v.address,
                    v.registration,
                    v.residence_since.isoformat() if v.residence_since else "",
                    "" if v.consent is None else ("是" if v.consent else "否"),
                ]
            )
            count += 1
    return count


def synthetic_ballots(
    paper: "BallotPaper",
    count: int,
    *,
    seed: int,
    support: dict[str, list[float]],
    bundle_size: int = 100,
    first_bundle: int = 1,
    write_in_names: tuple[str, ...] = (),
) -> list[dict[str, object]]:
    """``count`` ballot records (the JSON Lines shape), with realistic marks, identified as
    the counting team would: bundles of ``bundle_size`` from ``first_bundle``, positions 1 ….

    ``support``: office title → the chance that a voter marks each candidate (in ballot
    order) 同意. About 1% of ballots are blank, 1% of sections overvoted (invalid), 0.5%
    illegible, and some carry a write-in from ``write_in_names``. Deterministic per seed.
    """
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    for index in range(count):
        record: dict[str, object] = {
            "bundle": first_bundle + index // bundle_size,
            "position": index % bundle_size + 1,
            "sections": {},
        }
        sections: dict[str, dict[str, list[str]]] = {}
        illegible: list[str] = []
        if rng.random() < 0.01:
            records.append(record)
            continue
        for office in paper.offices:
            chances = support.get(office.title, [0.5] * len(office.candidates))
            chosen = [
                c for c, p in zip(office.candidates, chances, strict=False) if rng.random() < p
            ]
            rng.shuffle(chosen)
            if rng.random() >= 0.01:
                chosen = chosen[: office.seats]
            against = [c for c in office.candidates if c not in chosen and rng.random() < 0.1]
            write_in: list[str] = []
            if (
                write_in_names
                and office.write_ins
                and rng.random() < 0.01
                and len(chosen) < office.seats
            ):
                write_in.append(rng.choice(write_in_names))
            if rng.random() < 0.005:
                illegible.append(office.title)
                continue
            if chosen or against or write_in:
                sections[office.title] = {
                    "for": [str(c.number) for c in sorted(chosen, key=lambda c: c.number)],
                    "against": [c.name for c in against],
                    "write_in": write_in,
                }
        record["sections"] = sections
        if illegible:
            record["illegible"] = illegible
        records.append(record)
    return records
