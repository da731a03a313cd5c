"""The compiled digit detector (``privacy/detectors/_numbers.c``) returns exactly the Python
reference's spans (same list, order, fields and types) on the development corpora, on generated
texts and on edge cases; ``detect_numbers`` dispatches to it. The exact fast paths of the phone
and IBAN verifiers agree with the libraries they stand in for, on generated candidates."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from privacy.detectors import national, numbers
from privacy.detectors.numbers import (
    _CONTEXT_CUE_WORDS,
    _detect_numbers_py,
    _iban_valid_fast,
    _load_twin,
    _nanp_confidence,
    _phone_confidence,
    _phone_confidence_py,
    _us_valid,
    clear_caches,
    detect_numbers,
)
from privacy.spans import Span, lower_same_length

sys.path.insert(0, str(Path(__file__).parent))
from differential import ascii_corpus, tricky_ascii_text

_C = numbers._C


def _words(lowered: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", lowered))


def _same(text: str, **kw: Any) -> None:
    """The twin (called directly and through ``detect_numbers``) and the reference agree."""
    expected = _detect_numbers_py(text, **kw)
    assert _C is not None
    got = _C.detect_numbers(text, **kw)
    assert got == expected, (text[:200], kw.keys())
    assert all(type(s) is Span for s in got)
    assert [tuple(map(type, s)) for s in got] == [tuple(map(type, s)) for s in expected]
    assert detect_numbers(text, **kw) == expected


def _same_every_way(text: str) -> None:
    lowered = lower_same_length(text)
    n_digits = sum(c.isdigit() for c in text)
    _same(text)
    _same(text, lowered=lowered, n_digits=n_digits, words=_words(lowered))  # as detect_all
    _same(text, lowered=lowered, region="GB")


def test_the_extension_is_built_and_dispatched_to() -> None:
    from privacy.accel import pure_python

    assert _C is not None, "privacy/detectors/_numbers.c is not built (tools/build_accel.sh)"
    assert numbers._C is _C
    text = "call 212-555-0143 or pay 4111 1111 1111 1111"
    assert detect_numbers(text) == _C.detect_numbers(text) != []
    with pure_python():  # the public function then runs the reference
        assert numbers._C is None
        assert detect_numbers(text) == _C.detect_numbers(text)
    assert numbers._C is _C


def test_corpus() -> None:
    texts = ascii_corpus()
    assert len(texts) > 40_000
    for text in texts:
        _same_every_way(text)


@settings(max_examples=2500, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(tricky_ascii_text())
def test_generated(text: str) -> None:
    _same_every_way(text)


# what the digit scanners react to: digit groups and their separators, every shape of entity,
# cue words, context words of the national rules, IPv6 pieces
_PIECES = [
    "0", "1", "2", "9", "00", "12", "123", "4111", "5500", "99", "  ", "-", " - ", ".", ". ",
    ".\n", "\n", "(", ")", ") ", ")-", " (", "+", "/", ":", "x", "ext", "ext.", "extension", "X",
    "EXT", "account", "acct", "a/c", "membership", "member", "order", "ref", "reference",
    "sort code", "sort  code", "routing", "aba", "licence", "license", "id", "no", "no.",
    "number", "num", "nr", "#", "is", "was", "=", "code", "ssn", "social security", "tax id",
    "ni number", "national insurance", "nino", "AB", "QQ", "JG", "C", "D", "E", "A", "GB", "DE",
    "NL", "ES", "gb", "WEST", "_", "a", "f", "F", "g", "::", "1:", "fe80", "abcd", "\t", "\x1c",
    "\x0b", "!", "'", ",", "&", "*", "4111111111111111", "378282246310005", "6011111111111117",
    "212-555-0143", "+44 20 7946 0958", "DE89370400440532013000", "GB82WEST12345698765432",
    "GB82 WEST 1234 5698 7654 32", "ES84 9046 6800 5082 8806 0651", "078-05-1120",
    "912-70-1234", "912701234", "531-21-7351", "QQ 12 34 56 C", "AB 12 34 56 C", "JG 10 37 59",
    "192.168.0.1", "10.0.0.256", "01.2.3.4", "::1", "2001:db8::1", "fe80::1:2:3:4:5:6",
    "1/2/1990", "10:30", "10:30:45", "2024-01-02", "011234567", "021000021", "12-34-56",
]  # fmt: skip


def digit_heavy_text() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(_PIECES),
        st.text(alphabet="0123456789", min_size=1, max_size=9),
        st.text(alphabet="0123456789abcdefABCDEF:.- ", min_size=1, max_size=10),
    )
    joiner = st.sampled_from(["", "", " ", " ", "-", ".", "\n", ", ", ":", "/"])
    text = st.lists(st.tuples(piece, joiner), max_size=25).map(
        lambda parts: "".join(p + j for p, j in parts)
    )
    return st.one_of(text, text.map(str.upper), text.map(str.lower))


@settings(max_examples=3000, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(digit_heavy_text())
def test_generated_digit_heavy(text: str) -> None:
    _same_every_way(text)


EDGES = [
    "", "1", "a", " ", "+", "(", "12", "1234567", "123456", "(212) 555-0143", "+1 212 555 0143",
    "212-555-0143 x12", "212-555-0143 ext. 1234567", "212-555-0143 extension7", "212.555.0143.",
    "4111 1111 1111 1111", "4111 1111 1111 1111 1", "4111-1111-1111-1111-0", "0000000",
    "call 001 212 555 0143", "12/12/2024 10:30 5551234567", "1-2-3-4-5-6-7-8", "1.2.3.4.5.6.7",
    "DE89 3704 0044 0532 0130 00", "de89370400440532013000", "XX89370400440532013000",
    "IBAN: GB82-WEST-1234-5698-7654-32.", "ES8490466800508288060651", "ssn 078-05-1120",
    "my ssn is 531217351", "SSN: 531 21 7351", "NI number JG103759", "nino: QQ123456C",
    "account number: 12345678", "Account No. 12-34-56", "sort code 12-34-56",
    "routing number 021000021", "aba 021000021", "order # A12-3456", "ref: ab/12 34", "id 1",
    "192.168.0.1", "256.1.1.1", "1.2.3.04", "ip ::1 or fe80::1", "a::b::c", "1:2:3:4:5:6:7:8:9",
    "account", "account ", "account 12", "sort  code\t12 34 56", "pin=1234", "card no.4321",
    "x" * 100_000, "1" * 100_000, "12-34-" * 5_000, "1/2/1990 555 0143 " * 500, "1 " * 50_000, "account " + " " * 3_000 + "1234",
    "account" + " is" * 30_000, "12-34-" * 2_000, "ab" * 50_000 + "12",
    "call 212-555-0143, card 4111111111111111, IBAN DE89370400440532013000, ip 10.0.0.1 ::1, "
    "account 12345, ssn 531-21-7351, sort code 12-34-56. " * 700,
]  # fmt: skip


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_edge_cases(text: str) -> None:
    _same_every_way(text)
    pieces = 40 if len(text) <= 2_000 else 3  # the reference is slow on the 100 kB ones
    for cut in range(0, len(text) + 1, max(1, len(text) // pieces)):
        _same(text[:cut])  # texts ending mid-token


# non-ASCII characters of every kind the proxy scan must treat right: letters, spaces, digits
# and numerics of other scripts, characters whose case maps to ASCII, marks, symbols
_UNICODE = ["é", "ß", "Ł", "ą", "ő", "Ö", "İ", "ı", "ſ", "\u212a", "\xa0", "\x85", "\u2003",
            "\u3000", "²", "٣", "½", "Ⅳ", "—", "’", "µ", "ǅ", "\u0301", "中", "\U0001f600", "№"]  # fmt: skip


def test_non_ascii_corpus() -> None:
    import json

    from differential import DATA, FIXTURES

    texts = [
        r["full_text"] for r in json.loads((DATA / "presidio_generated_small.json").read_text())
    ]
    texts += [json.loads(line)["text"] for line in FIXTURES.read_text().splitlines()]
    clinc = json.loads((DATA / "clinc150_data_full.json").read_text())
    texts += [t for split in clinc.values() for t, _intent in split]
    texts = [t for t in texts if not t.isascii()]
    assert len(texts) > 25
    for text in texts + [t.upper() for t in texts] + [t.title() for t in texts]:
        _same_every_way(text)


@settings(max_examples=2500, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.lists(st.tuples(st.sampled_from(_PIECES + _UNICODE), st.sampled_from(["", " ", "-"])),
                max_size=25).map(lambda parts: "".join(p + j for p, j in parts)))  # fmt: skip
def test_generated_non_ascii(text: str) -> None:
    _same_every_way(text)


def test_non_ascii_texts_are_scanned_through_a_proxy() -> None:
    assert _C is not None
    text = "Überweisung an DE89 3704 0044 0532 0130 00, Tel.\xa0212-555-0143 Kontonr. 12345"
    low = lower_same_length(text)
    found = _C.scan(text, low, -1, 1, "US", national.RULES)
    assert found == _detect_numbers_py(text, lowered=low, words=_words(low))
    assert {"IBAN", "PHONE"} <= {s.kind for s in found}
    # without the caller's words (or with a digit of another script) the reference decides
    assert _C.scan(text, low, -1, -1, "US", national.RULES) is None
    assert _C.scan(text + " ٣", low + " ٣", -1, 1, "US", national.RULES) is None


def test_other_arguments_go_to_the_reference() -> None:
    text = "Überweisung an DE89 3704 0044 0532 0130 00, Tel. 212-555-0143"
    assert detect_numbers(text) == _detect_numbers_py(text) != []
    assert detect_numbers(text="call 212-555-0143") == _detect_numbers_py("call 212-555-0143")
    with pytest.raises(TypeError):
        detect_numbers("call 212-555-0143", colour="red")  # type: ignore[call-arg]


def test_registered_rules_run_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = national.IdRule("NATIONAL_ID", re.compile(r"\bZ\d{6}\b"), lambda v: True, min_digits=6)
    monkeypatch.setattr(national, "RULES", [*national.RULES, rule])
    text = "id Z123456 and ssn 531-21-7351 at 212-555-0143"
    found = detect_numbers(text)
    assert found == _detect_numbers_py(text)
    assert ("NATIONAL_ID", "national_id") in {(s.kind, s.detector) for s in found}


def test_a_changed_pattern_turns_the_twin_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numbers, "_IPV4", re.compile(r"\d+\.\d+\.\d+\.\d+"))
    assert _load_twin() is None


def test_clear_caches_still_empties_the_verifier_caches() -> None:
    clear_caches()
    detect_numbers("call 212-555-0143 or pay to DE89370400440532013000")
    assert _phone_confidence.cache_info().currsize == 1
    assert numbers._iban_valid.cache_info().currsize == 1
    clear_caches()
    assert _phone_confidence.cache_info().currsize == 0
    assert numbers._iban_valid.cache_info().currsize == 0


def test_cue_words_gate_as_the_reference() -> None:
    # words given by the caller decide the context-number gate, as in the reference
    text = "account 12345"
    assert detect_numbers(text, words=set()) == _detect_numbers_py(text, words=set()) == []
    assert detect_numbers(text, words=set(_CONTEXT_CUE_WORDS)) != []


# ---------------------------------------------------------------- the verifiers' fast paths


def _phone_candidates(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        k = rng.randint(5, 17)
        first = rng.choice("0123456789")
        digits = first + "".join(rng.choice("0123456789") for _ in range(k - 1))
        if rng.random() < 0.3:  # real US shapes: area code and exchange from 2-9
            digits = rng.choice("23456789") + digits[1:3] + rng.choice("23456789") + digits[4:]
        if rng.random() < 0.25:
            digits = rng.choice(["00", "011", "0", "1", "1", "11", "01", "10", "1"]) + digits
        raw, i = "", 0
        while i < len(digits):
            step = rng.randint(1, 4)
            raw += digits[i : i + step]
            i += step
            if i < len(digits):
                raw += rng.choice(["", "", " ", "-", ".", ") ", " (", "(", ")", ")-", " - "])
        out.append(raw)
    return out


def test_us_phone_fast_path_matches_phonenumbers() -> None:
    rng = random.Random(20261127)
    shortcut = 0
    for raw in _phone_candidates(rng, 30_000):
        digits = re.sub(r"\D", "", raw)
        for international in {digits.startswith("00"), True}:
            args = (raw, "US", international, 7 <= len(digits) <= 15)
            fast = _nanp_confidence(*args)
            if fast is not None:
                shortcut += 1
                assert fast == _phone_confidence_py(*args), args
    assert shortcut > 20_000  # the shortcut does take most candidates
    assert _nanp_confidence("212-555-0143", "GB", False, True) is None
    assert _nanp_confidence("011 44 20 7946 0958", "US", False, True) is None


def test_us_phone_fast_path_for_numbers_starting_with_1() -> None:
    # the country code / national prefix 1: what the parser takes off depends on the rest
    rng = random.Random(11)
    for _ in range(20_000):
        body = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 14)))
        if rng.random() < 0.5:
            body = rng.choice("23456789") + body[1:3] + rng.choice("23456789") + body[4:]
        digits = (rng.choice(["1", "1", "11", "10", "111"]) + body)[:15]
        raw = digits if rng.random() < 0.5 else f"{digits[0]}-{digits[1:4]}-{digits[4:]}"
        for international in (False, True):
            args = (raw, "US", international, 7 <= len(digits) <= 15)
            fast = _nanp_confidence(*args)
            if len(digits) >= 7:
                assert fast is not None and fast == _phone_confidence_py(*args), args


def test_us_validity_matches_phonenumbers() -> None:
    rng = random.Random(7)
    numbers_ = [
        f"{a}{rng.randrange(10**9):09d}"[: rng.choice([7, 10, 10, 10, 11])]
        for a in range(2, 10)
        for _ in range(2_500)
    ]
    numbers_ += [f"{area}{rng.randrange(10**7):07d}" for area in range(200, 1000)]
    for nsn in numbers_:
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(nsn))
        assert _us_valid(nsn) == phonenumbers.is_valid_number_for_region(number, "US"), nsn


def _bban(structure: str, rng: random.Random) -> str:
    chars = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": "0123456789ABCDEFGHIJ"}
    return "".join(
        "".join(rng.choice(chars[kind]) for _ in range(int(count)))
        for count, kind in re.findall(r"(\d+)!([nac])", structure)
    )


def test_iban_registry_has_the_shape_the_fast_path_assumes() -> None:
    db = stdnum_iban._ibandb
    assert db.prefixes and all(
        length == 2 and low == high and not children
        for length, low, high, _p, children in db.prefixes
    )


def test_iban_fast_path_matches_stdnum() -> None:
    rng = random.Random(97)
    countries = [
        low for _l, low, _h, props, _c in stdnum_iban._ibandb.prefixes if props.get("bban")
    ]
    candidates = []
    for _ in range(40):
        for cc in countries + ["ES"] * 5 + ["BE", "NO", "ME"] * 3:
            structure = stdnum_iban._ibandb.info(cc)[0][1].get("bban", "")
            bban = _bban(structure, rng)
            valid = cc + stdnum_iban.calc_check_digits(cc + "00" + bban) + bban
            candidates.append(valid)
            candidates.append(valid[:-1])  # wrong length
            candidates.append(valid[:4] + valid[5:] + rng.choice("0123456789"))
            spaced = " ".join(valid[i : i + 4] for i in range(0, len(valid), 4))
            candidates.append(spaced)
            candidates.append(spaced.replace(" ", "-"))
    candidates += ["XX89370400440532013000", "DE8937040044053201300", "12345", "DE", "",
                   "ES91 2100 0418 4502 0005 1332", "ES91 2100 0418 4502 0005 1333"]  # fmt: skip
    fast_ok = 0
    for candidate in candidates:
        fast = _iban_valid_fast(candidate)
        if fast is not None:
            assert fast == stdnum_iban.is_valid(candidate), candidate
            fast_ok += fast
    assert fast_ok > 1_000  # most generated valid ones went through the shortcut
    assert _iban_valid_fast("de89370400440532013000") is None  # lower case: stdnum decides
