"""The worked example of ICAO 9303 part 11, Appendix D: BAC and secure messaging, byte for byte."""

from __future__ import annotations

from collections.abc import Callable

from devices.smartcard import crypto
from devices.smartcard.mrz import MrzKey, check_digit
from devices.smartcard.passport import EF_COM, authenticate, parse_ef_com, read_file
from devices.smartcard.secure_messaging import SecureMessaging, SessionKeys
from devices.smartcard.session import CardSession
from tests.devices.smartcard.links import ScriptedTransport, split_answer

KEY = MrzKey("L898902C<", "690806", "940623")
RND_IC = "4608F91988702212"
RND_IFD = "781723860C06C226"
K_IFD = "0B795240CB7049B01C19B33E32804F0B"
E_IFD = "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
M_IFD = "5F1448EEA8AD90A7"
E_IC = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
M_IC = "2F2D235D074D7449"
KS_ENC = "979EC13B1CBFE9DCD01AB0FED307EAE5"
KS_MAC = "F1CB1F1FB5ADF208806B89DC579DC1F8"
SSC = 0x887022120C06C226
EF_COM_BYTES = "60145F0104303130365F36063034303030305C026175"
#: SELECT EF.COM, READ BINARY 4 bytes, READ BINARY 18 bytes at offset 4: protected forms.
PROTECTED_EXCHANGES = [
    ("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000"),
    (
        "0CB000000D9701048E08ED6705417E96BA5500",
        "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
    ),
    (
        "0CB000040D9701128E082EA28A70F3C7B53500",
        "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
    ),
]


def fixed_random(*chunks: str) -> Callable[[int], bytes]:
    queue = [bytes.fromhex(chunk) for chunk in chunks]

    def random_bytes(count: int) -> bytes:
        chunk = queue.pop(0)
        assert len(chunk) == count
        return chunk

    return random_bytes


def test_mrz_information_and_check_digits() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert KEY.mrz_information() == "L898902C<369080619406236"


def test_key_seed_and_derived_keys() -> None:
    seed = KEY.key_seed()
    assert seed.hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    assert crypto.derive_key(seed, 1).hex().upper() == "AB94FDECF2674FDFB9B391F85D7F76F2"
    assert crypto.derive_key(seed, 2).hex().upper() == "7962D9ECE03D1ACD4C76089DCE131543"


def test_terminal_cryptogram_and_mac() -> None:
    seed = KEY.key_seed()
    plain = bytes.fromhex(RND_IFD + RND_IC + K_IFD)
    e_ifd = crypto.encrypt(crypto.derive_key(seed, 1), plain)
    assert e_ifd.hex().upper() == E_IFD
    assert crypto.retail_mac(crypto.derive_key(seed, 2), e_ifd).hex().upper() == M_IFD


def test_session_keys_from_the_xored_seed() -> None:
    seed = bytes.fromhex("0036D272F5C350ACAC50C3F572D23600")
    keys = SessionKeys.from_seed(seed)
    assert (keys.encryption.hex().upper(), keys.mac.hex().upper()) == (KS_ENC, KS_MAC)
    assert "97" not in repr(keys)


def test_secure_messaging_of_select_and_read_binary() -> None:
    messaging = SecureMessaging(SessionKeys(bytes.fromhex(KS_ENC), bytes.fromhex(KS_MAC)), SSC)
    plain_commands = ["00A4020C02011E", "00B0000004", "00B0000412"]
    answers = []
    for plain, (protected, answer) in zip(plain_commands, PROTECTED_EXCHANGES, strict=True):
        assert messaging.protect(bytes.fromhex(plain)).hex().upper() == protected
        answers.append(messaging.unprotect(split_answer(bytes.fromhex(answer))))
    assert [answer.status for answer in answers] == [0x9000] * 3
    assert (answers[1].data + answers[2].data).hex().upper() == EF_COM_BYTES
    assert messaging.ssc == SSC + 6


def test_authenticate_and_read_ef_com_exactly_as_the_worked_example() -> None:
    script = ScriptedTransport(
        [
            ("00A4040C07A0000002471001", "9000"),
            ("0084000008", RND_IC + "9000"),
            ("0082000028" + E_IFD + M_IFD + "28", E_IC + M_IC + "9000"),
            *PROTECTED_EXCHANGES,
        ]
    )
    channel = authenticate(CardSession(script), KEY, fixed_random(RND_IFD, K_IFD))
    ef_com = read_file(channel, EF_COM)
    assert ef_com.hex().upper() == EF_COM_BYTES
    assert parse_ef_com(ef_com) == ("0106", "040000", ("DG1", "DG2"))
    assert script.remaining == 0
