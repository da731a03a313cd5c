"""Regenerate the shipped word lists from Faker's locale providers (build time only).

Run ``python -m privacy.wordlists._build [--corpus PATH ...]``. Nothing here runs at import time and
nothing is downloaded: Faker is a development dependency whose provider modules carry the lists.
Common English words (a name that is also an ordinary word needs context to count as a name) come
from Faker's English lorem list plus, optionally, the vocabulary of customer-service corpora.
"""

from __future__ import annotations

import argparse
import collections
import csv
import importlib
import json
import pkgutil
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _values(obj: object) -> list[str]:
    if isinstance(obj, dict):
        return [str(k) for k in obj]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [str(v) for v in obj]
    return []


def _latin(word: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") or ch in "'’-" for ch in word)


def collect_faker() -> tuple[set[str], set[str], set[str]]:
    import faker.providers.address as address_pkg
    import faker.providers.person as person_pkg

    firsts: set[str] = set()
    lasts: set[str] = set()
    streets: set[str] = set()
    for info in pkgutil.iter_modules(person_pkg.__path__):
        provider = importlib.import_module(f"faker.providers.person.{info.name}").Provider
        for attr in dir(provider):
            if "names" not in attr or "kana" in attr or attr.startswith("_"):
                continue
            if attr.startswith("first_"):
                firsts.update(_values(getattr(provider, attr)))
            elif attr.startswith("last_"):
                lasts.update(_values(getattr(provider, attr)))
    for info in pkgutil.iter_modules(address_pkg.__path__):
        provider = importlib.import_module(f"faker.providers.address.{info.name}").Provider
        for attr in ("street_suffixes", "street_prefixes"):
            for value in _values(getattr(provider, attr, ())):
                streets.add(value)

    def clean(values: set[str]) -> set[str]:
        out: set[str] = set()
        for value in values:
            for part in value.replace(".", " ").split():
                if len(part) >= 2 and _latin(part):
                    out.add(part.lower())
        return out

    return clean(firsts), clean(lasts), clean(streets)


def collect_common(
    corpora: list[Path], *, min_count: int, names: set[str], name_min_count: int = 40
) -> tuple[set[str], set[str]]:
    """(ordinary words, words seen in lowercase text often enough to distrust as a name)."""
    from faker.providers.lorem.en_US import Provider as Lorem

    common = {w.lower() for w in Lorem.word_list}
    counts: collections.Counter[str] = collections.Counter()
    for path in corpora:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            text = "\n".join(row[0] for row in csv.reader(text.splitlines()) if row)
        elif path.suffix == ".json":
            data = json.loads(text)
            text = "\n".join(_strings(data))
        counts.update(w.lower() for w in _WORD.findall(text))
    # the corpora mention people ("call john"): a name counts as an ordinary word only when it
    # is very frequent there ("will", "bill", "may")
    common.update(
        w for w, n in counts.items() if n >= (name_min_count if w in names else min_count)
    )
    seen = {w for w, n in counts.items() if n >= min_count}
    return common, seen


def collect_places() -> set[str]:
    from faker.providers.address.en_US import Provider as Address

    out: set[str] = set()
    for attr in ("countries", "states"):
        for value in _values(getattr(Address, attr, ())):
            out.update(part.lower() for part in value.replace(",", " ").split() if len(part) > 2)
    return out


POPULAR_FIRST_NAME_SHARE = 0.002  # Faker en_US weight: about the 150 commonest US first names


def collect_ordinary_names(dictionary: Path, names: set[str]) -> set[str]:
    """Names that are also ordinary English words: written in lowercase in a spelling dictionary
    (Debian's ``wamerican-small``, SCOWL size 35: ``/usr/share/dict/american-english-small``).
    Proper nouns are capitalised there ("John"), ordinary words are not ("branch", "rose").

    The most popular US first names stay names even when they are words too ("mark", "maria",
    "peter", "frank"): leaking a Maria costs more than masking "mark as read"."""
    from faker.providers.person.en_US import Provider as Person

    popular = {
        name.lower()
        for table in (Person.first_names_female, Person.first_names_male)
        for name, share in table.items()
        if share >= POPULAR_FIRST_NAME_SHARE
    }
    words = {
        line.strip()
        for line in dictionary.read_text(encoding="utf-8", errors="replace").splitlines()
    }
    return {w for w in words if w and w.islower() and w.isalpha() and w in names} - popular


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument(
        "--dictionary", type=Path, default=Path("/usr/share/dict/american-english-small")
    )
    args = parser.parse_args()
    firsts, lasts, _streets = collect_faker()
    common, seen = collect_common(args.corpus, min_count=args.min_count, names=firsts | lasts)
    for name, words in (
        ("first_names", firsts),
        ("last_names", lasts),
        ("common_words", common),
        ("seen_words", seen),
        ("places", collect_places()),
        ("ordinary_names", collect_ordinary_names(args.dictionary, firsts | lasts)),
    ):
        (HERE / f"{name}.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
        print(name, len(words))


if __name__ == "__main__":
    main()
