"""Masking of personal data (names, phone numbers, ID numbers). Plain functions;
who may see what unmasked is decided by the selectors that call them."""
import re

_DIGITS = re.compile(r"\d")


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last two digits."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    """张三丰 -> 张**; John Smith -> J*********."""
    if not name:
        return ""
    name = name.strip()
    return name[0] + "*" * (len(name) - 1)


def mask_email(email: str) -> str:
    """zhang.san@example.cn -> z*********@example.cn."""
    local, at, domain = (email or "").partition("@")
    return mask_name(local) + at + domain if at else mask_name(local)


def mask_id_number(number: str) -> str:
    """110101199001011234 -> 110101********1234."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_text(text: str) -> str:
    """Hide phone numbers and ID numbers that residents type into free text."""
    text = re.sub(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)", r"\1****\2", text)
    return re.sub(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)", r"\1********\2", text)


_HOUSE_NUMBER = re.compile(r"\d+(?=\s*(?:号|栋|幢|座|单元|层|楼|室|户|弄))")


def mask_house_numbers(text: str) -> str:
    """示范路12号3栋502室 -> 示范路*号*栋*室: public pages name the street, never the door."""
    return _HOUSE_NUMBER.sub("*", text)
