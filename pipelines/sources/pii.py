"""Synthetic personal data for the simulator: checksum-valid card numbers and IBANs, plausible
phone numbers per region, names, emails, addresses, and the spoken forms a voice channel's ASR
produces ("four five three two", "double five", "oh" for zero). All values are random, not real."""

from __future__ import annotations

import random

from pipelines.sources.phrases import (
    CITIES,
    DIGIT_WORDS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    STREETS,
)

_PHONE_FORMATS = {
    "US": lambda r: f"+1 {r.choice(['201', '212', '303', '415', '512', '617', '702', '312'])} {r.randint(200, 989)} {r.randint(1000, 9999)}",
    "UK": lambda r: f"07{r.choice(['911', '700', '824', '957', '723'])} {r.randint(100000, 999999)}",
    "DE": lambda r: f"+49 15{r.choice('1257')} {r.randint(1000000, 9999999)}{r.randint(0, 9)}",
    "IN": lambda r: f"+91 9{r.randint(1000, 9999)} {r.randint(10000, 99999)}",
    "AU": lambda r: f"+61 4{r.randint(10, 99)} {r.randint(100, 999)} {r.randint(100, 999)}",
}


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A random card number with the issuer ``prefix`` and a valid Luhn check digit.

    >>> n = luhn_complete("4", 16, random.Random(1)); len(n), n[0]
    (16, '4')
    """
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # the digit left of the check digit is doubled
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


def card_number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        number = luhn_complete("4", 16, rng)
    elif kind < 0.85:
        number = luhn_complete(str(rng.randint(51, 55)), 16, rng)
    else:
        return luhn_complete(rng.choice(["34", "37"]), 15, rng)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.6 else number


def _iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random) -> str:
    if rng.random() < 0.5:
        bban = f"{rng.randint(10000000, 99999999)}{rng.randint(0, 9999999999):010d}"
        country = "DE"
    else:
        bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        bban = f"{bank}{rng.randint(100000, 999999)}{rng.randint(10000000, 99999999)}"
        country = "GB"
    code = f"{country}{_iban_check(country, bban)}{bban}"
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4)) if rng.random() < 0.5 else code


def phone(rng: random.Random, region: str) -> str:
    return _PHONE_FORMATS.get(region, _PHONE_FORMATS["US"])(rng)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def email(rng: random.Random, name: str) -> str:
    first, last = name.lower().split(" ", 1)
    sep = rng.choice([".", "_", ""])
    return f"{first}{sep}{last}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"


def address(rng: random.Random) -> str:
    return f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {rng.choice(CITIES)}"


def spoken_digits(value: str, rng: random.Random) -> str:
    """How an ASR engine writes a number read aloud: digit words, "oh" for zero, "double five",
    pauses as commas, and now and then a digit left as a digit.

    >>> spoken_digits("4532", random.Random(0)).replace(",", "").split()[:2]
    ['four', 'five']
    """
    digits = [c for c in value if c.isdigit()]
    words: list[str] = []
    i = 0
    while i < len(digits):
        digit = digits[i]
        if i + 1 < len(digits) and digits[i + 1] == digit and rng.random() < 0.5:
            words.append(f"double {_word(digit, rng)}")
            i += 2
        else:
            words.append(_word(digit, rng) if rng.random() > 0.1 else digit)
            i += 1
        if i % 4 == 0 and i < len(digits) and rng.random() < 0.6:
            words[-1] += ","
    return " ".join(words)


def _word(digit: str, rng: random.Random) -> str:
    if digit == "0" and rng.random() < 0.5:
        return "oh"
    return DIGIT_WORDS[int(digit)]
