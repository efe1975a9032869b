"""C2SP signed notes and their keys: the reference implementation's vectors, a golden note
of our own, and every malformed form refused with ``bad_note``."""

import base64
from pathlib import Path

import pytest

from evidence.errors import BadSignature, ConfigError, KeyFileError, MalformedNote, UntrustedNote
from evidence.keys import Ed25519PrivateKey
from evidence.tlog.note import MAX_SIGNATURES, NoteSignature, SignedNote
from evidence.tlog.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from tests.kernel.tlog_keys import LOG_SIGNER

GOLDEN = Path(__file__).parent.parent / "golden"

# golang.org/x/mod/sumdb/note note_test.go (TestSign, TestOpen): keys, text, signatures.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
# c2sp.org/signed-note, "Verifier keys", its example key and note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
PETER = Ed25519NoteVerifier.from_vkey(PETER_VKEY)
ENOCH = Ed25519NoteVerifier.from_vkey(ENOCH_VKEY)


def note(text):
    return SignedNote.parse(text.encode())


def test_the_go_reference_signature_is_reproduced_byte_for_byte():
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[-1])[1:]
    signer = Ed25519NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))
    assert signer.verifier.vkey() == PETER_VKEY
    signed = SignedNote(TEXT.encode(), (signer.sign(TEXT.encode()),))
    assert signed.to_bytes().decode() == TEXT + "\n" + PETER_SIG


def test_the_spec_example_verifies():
    signed = note(SPEC_NOTE)
    [verified] = signed.verify([Ed25519NoteVerifier.from_vkey(SPEC_VKEY)])
    assert (
        verified.key_name == "example.com/foo" and signed.text == b"This is an example message.\n"
    )


def test_lines_by_unknown_keys_are_ignored_and_kept():
    signed = note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert [s.key_name for s in signed.verify([PETER])] == ["PeterNeumann"]
    assert [s.key_name for s in signed.verify([PETER, ENOCH])] == ["PeterNeumann", "EnochRoot"]
    assert signed.to_bytes().decode() == TEXT + "\n" + PETER_SIG + ENOCH_SIG
    repeated_unknown = note(TEXT + "\n" + PETER_SIG + ENOCH_SIG + ENOCH_SIG)
    assert len(repeated_unknown.verify([PETER])) == 1 and len(repeated_unknown.signatures) == 3


def test_a_note_no_trusted_key_signed_is_refused():
    with pytest.raises(UntrustedNote, match="not signed by a trusted key"):
        note(TEXT + "\n" + PETER_SIG + ENOCH_SIG).verify([])
    same_name_other_key = Ed25519NoteVerifier("PeterNeumann", ENOCH.public_key)
    with pytest.raises(UntrustedNote):
        note(TEXT + "\n" + PETER_SIG).verify([same_name_other_key])


def test_a_bad_signature_by_a_trusted_key_refuses_the_note():
    with pytest.raises(BadSignature):
        note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]).verify([PETER])
    with pytest.raises(BadSignature):
        note(TEXT.replace("answer", "Answer") + "\n" + PETER_SIG).verify([PETER])


def test_two_lines_by_one_trusted_key_are_refused():
    # Go's package keeps the first of them; we refuse, so a note has one reading.
    with pytest.raises(MalformedNote, match="two signature lines"):
        note(TEXT + "\n" + PETER_SIG + PETER_SIG).verify([PETER])


def test_trusting_two_keys_under_one_name_and_id_is_a_configuration_error():
    with pytest.raises(ConfigError):
        note(TEXT + "\n" + ENOCH_SIG).verify([ENOCH, PETER, ENOCH])


BAD_NOTES = {
    # golang.org/x/mod/sumdb/note TestOpen's badMsgs:
    "no signatures": TEXT,
    "blank line, no signatures": TEXT + "\n",
    "last line unterminated": TEXT + "\n" + PETER_SIG[:-1],
    "control character": "\x01" + TEXT + "\n" + PETER_SIG,
    "key name with a space": TEXT
    + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    "trailing text": TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    # and ours:
    "no blank line": TEXT + PETER_SIG,
    "hyphen for the dash": TEXT + "\n" + PETER_SIG.replace("—", "-"),
    "en dash for the em dash": TEXT + "\n" + PETER_SIG.replace("—", "–"),
    "no space after the dash": TEXT + "\n" + PETER_SIG.replace("— ", "—"),
    "two spaces after the name": TEXT + "\n" + PETER_SIG.replace("n x08", "n  x08"),
    "empty key name": TEXT + "\n" + PETER_SIG.replace("PeterNeumann", ""),
    "plus in the key name": TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
    "no-break space in the key name": TEXT + "\n" + PETER_SIG.replace("Peter", "Peter\u00a0"),
    "base64 without padding": TEXT + "\n" + PETER_SIG.replace("AM=\n", "AM\n"),
    "base64 with a foreign character": TEXT + "\n" + PETER_SIG.replace("x08go", "x08g_"),
    "base64 with stray bits": TEXT + "\n" + PETER_SIG.replace("AM=\n", "AN=\n"),
    "base64 with a line break": TEXT + "\n" + PETER_SIG.replace("/ZJk", "/Z\nJk"),
    "signature of four bytes": TEXT + "\n— PeterNeumann x08gow==\n",
    "carriage return": TEXT + "\n" + PETER_SIG.replace("\n", "\r\n"),
    "tab": TEXT.replace(" ", "\t", 1) + "\n" + PETER_SIG,
    "blank line after the signatures": TEXT + "\n" + PETER_SIG + "\n",
    "too many signatures": TEXT + "\n" + ENOCH_SIG * (MAX_SIGNATURES + 1),
}


@pytest.mark.parametrize("text", BAD_NOTES.values(), ids=BAD_NOTES.keys())
def test_malformed_notes_are_refused(text):
    with pytest.raises(MalformedNote) as caught:
        SignedNote.parse(text.encode())
    assert caught.value.code == "bad_note"


def test_a_note_that_is_not_utf8_is_refused():
    for data in (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), b"caf\xc3\n\n" + PETER_SIG.encode()):
        with pytest.raises(MalformedNote, match="UTF-8"):
            SignedNote.parse(data)


def test_the_note_text_may_hold_blank_lines_the_last_one_splits():
    text = "first\n\nsecond\n"
    signed = SignedNote(text.encode(), (LOG_SIGNER.sign(text.encode()),))
    assert SignedNote.parse(signed.to_bytes()) == signed
    signed.verify([LOG_SIGNER.verifier])


def test_every_changed_byte_of_the_golden_note_is_refused():
    golden = (GOLDEN / "note-v1.txt").read_bytes()
    verifier = Ed25519NoteVerifier.from_vkey((GOLDEN / "log-test.vkey").read_text().strip())
    assert SignedNote.parse(golden).verify([verifier])
    for n in range(len(golden)):
        for bit in (0, 5):
            changed = bytearray(golden)
            changed[n] ^= 1 << bit
            with pytest.raises((MalformedNote, BadSignature, UntrustedNote)):
                SignedNote.parse(bytes(changed)).verify([verifier])
    for end in range(len(golden)):
        with pytest.raises((MalformedNote, BadSignature, UntrustedNote)):
            SignedNote.parse(golden[:end]).verify([verifier])


def test_the_golden_note_is_what_the_test_key_signs():
    text = (GOLDEN / "note-v1.txt").read_bytes().split(b"\n\n")[0] + b"\n"
    signed = SignedNote(text, (LOG_SIGNER.sign(text),))
    assert signed.to_bytes() == (GOLDEN / "note-v1.txt").read_bytes()
    assert LOG_SIGNER.verifier.vkey() == (GOLDEN / "log-test.vkey").read_text().strip()


def test_a_note_text_must_end_with_a_newline():
    with pytest.raises(MalformedNote):
        SignedNote(b"no newline", (LOG_SIGNER.sign(b"no newline"),))
    with pytest.raises(MalformedNote):
        NoteSignature("a b", b"1234", b"x")


def test_vkeys_round_trip_and_every_mangled_one_is_refused():
    # As golang.org/x/mod/sumdb/note TestNewVerifier: every proper substring, every byte + 1.
    assert Ed25519NoteVerifier.from_vkey(PETER_VKEY).vkey() == PETER_VKEY
    for start in range(len(PETER_VKEY)):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(KeyFileError):
                    Ed25519NoteVerifier.from_vkey(PETER_VKEY[start:end])
    for n in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:n] + chr(ord(PETER_VKEY[n]) + 1) + PETER_VKEY[n + 1 :]
        with pytest.raises(KeyFileError):
            Ed25519NoteVerifier.from_vkey(mangled)
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(KeyFileError):
            Ed25519NoteVerifier.from_vkey(bad)
