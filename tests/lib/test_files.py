from lib.files import ascii_file_name, safe_file_name


def test_safe_file_name_drops_paths_control_and_bidi_characters():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\anna\\skan łódź.pdf") == "skan łódź.pdf"
    assert safe_file_name("faktura\u202egpj.exe") == "faktura gpj.exe"
    assert safe_file_name("") == "plik"
    assert len(safe_file_name("x" * 300 + ".pdf")) == 120


def test_safe_file_name_keeps_or_adds_the_stored_extension():
    assert safe_file_name("umowa.PDF", extension=".pdf") == "umowa.pdf"
    assert safe_file_name("Uchwała nr 2.2026", extension=".pdf") == "Uchwała nr 2.2026.pdf"


def test_ascii_fallback_of_a_polish_name():
    assert ascii_file_name("Zażółć gęślą jaźń – Łódź.pdf") == "Zazolc gesla jazn - Lodz.pdf"
