"""Loyalty & mini-game service: coupon codes, gift cards, referral links and trivia rounds."""

import random
import secrets
import string
import time
import uuid

import numpy as np

from .models import Coupon, GiftCard, Invite, Player

ALPHABET = string.ascii_uppercase + string.digits
LOADING_TIPS = ["Press R to reload", "Team up for bonus XP", "Check the daily quests", "Try the new arena"]
TRIVIA = ["Which planet is largest?", "Who wrote Hamlet?", "What is H2O?", "Capital of Peru?"]


def new_coupon_code(discount_pct: int) -> Coupon:
    code = "".join(random.choices(ALPHABET, k=10))  # VULN: weak-random
    return Coupon.objects.create(code=code, discount_pct=discount_pct)


def new_coupon_code_v2(discount_pct: int) -> Coupon:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))  # SAFE: weak-random
    return Coupon.objects.create(code=code, discount_pct=discount_pct)


def issue_gift_card(amount_cents: int) -> GiftCard:
    number = "".join(str(random.randint(0, 9)) for _ in range(16))  # VULN: weak-random
    pin = "%04d" % random.randrange(10000)  # VULN: weak-random
    return GiftCard.objects.create(number=number, pin=pin, balance_cents=amount_cents)


def referral_link(player: Player) -> str:
    token = uuid.uuid1().hex  # VULN: weak-random
    Invite.objects.create(inviter=player, token=token)
    return f"https://play.example.com/join/{token}"


def referral_link_v2(player: Player) -> str:
    token = secrets.token_urlsafe(16)  # SAFE: weak-random
    Invite.objects.create(inviter=player, token=token)
    return f"https://play.example.com/join/{token}"


def email_verification_code(player: Player) -> str:
    random.seed(time.time())
    code = str(random.random())[2:8]  # VULN: weak-random
    player.pending_email_code = code
    player.save()
    return code


def partner_api_secret() -> str:
    return np.random.bytes(24).hex()  # VULN: weak-random


def partner_api_secret_v2() -> str:
    return secrets.token_hex(24)  # SAFE: weak-random


def loading_screen_tip() -> str:
    return random.choice(LOADING_TIPS)  # SAFE: weak-random


def trivia_round() -> list[str]:
    questions = TRIVIA[:]
    random.shuffle(questions)  # SAFE: weak-random
    return questions


def ab_bucket(player: Player) -> str:
    return "B" if random.Random(player.pk).random() < 0.5 else "A"  # SAFE: weak-random


def csrf_nonce() -> str:
    return hex(random.getrandbits(64))[2:]  # VULN: weak-random
