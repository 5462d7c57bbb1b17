"""The wrong-language check (lingua language ID), through a real server on loopback."""

import pytest

from lacuna.client import Client

SOURCE = "Click here to save your changes before you close the window."


def score(server, translation, tgt, src="en", source=SOURCE):
    with Client(server.address, timeout=60) as client:
        return client.score([{"id": "w1", "source": source, "translation": translation,
                              "src_lang": src, "tgt_lang": tgt}]).segments[0]


def flags_of(result):
    return [f for f in result.flags if f.type == "wrong_language"]


@pytest.mark.parametrize("translation,tgt", [
    ("Klicken Sie hier, um Ihre Änderungen zu speichern, bevor Sie das Fenster schließen.", "de"),
    ("Cliquez ici pour enregistrer vos modifications avant de fermer la fenêtre.", "fr"),
    ("Clique aqui para salvar suas alterações antes de fechar a janela.", "pt-BR"),
    ("Натисніть тут, щоб зберегти зміни перед закриттям вікна.", "uk"),
    ("ウィンドウを閉じる前に、ここをクリックして変更を保存してください。", "ja"),
    ("关闭窗口前，请点击此处保存更改。", "zh-Hans"),
    ("창을 닫기 전에 여기를 클릭하여 변경 사항을 저장하세요.", "ko"),
    # Danish for a Norwegian target: lingua cannot tell them apart reliably, so accepted
    ("Klik her for at gemme dine ændringer, før du lukker vinduet.", "no"),
    # Latinate English that lingua reads as Latin (0.89): Latin needs more certainty than that
    ("Sikhism is a religion that originated in the Indian subcontinent in the Punjab region in the "
     "15th century as a result of sectarian schism within Hinduism.", "en"),
    # too short to judge
    ("Click here.", "de"),
    # a few Latin letters for a Chinese target are not judged as Chinese characters would be
    ("Excel XML", "zh"),
    # a language lingua does not know is not judged
    ("Click here to save your changes before you close the window, please.", "mt"),
])
def test_translation_in_target_language_is_not_flagged(start_server, translation, tgt):
    result = score(start_server(omission=False), translation, tgt)
    assert flags_of(result) == [], result.flags


def test_names_from_the_source_do_not_make_a_translation_look_english(start_server):
    source = "The NATO Secretary General met Prime Minister Kishida in Tokyo on Friday."
    translation = "NATO Secretary General trifft Prime Minister Kishida am Freitag in Tokyo."
    assert flags_of(score(start_server(omission=False), translation, "de", source=source)) == []


def test_translation_in_source_language_is_flagged(start_server):
    translation = "Click here to save all of your changes before you close this window."
    result = score(start_server(omission=False), translation, "fr")
    found = flags_of(result)
    assert len(found) == 1, result.flags
    flag = found[0]
    assert flag.severity == "major" and flag.detector == "wrong_language"
    assert "source language" in flag.message and "English (en)" in flag.message and "(fr)" in flag.message
    assert (flag.target_span.start, flag.target_span.end) == (0, len(translation))
    assert 0.6 <= flag.confidence <= 1.0
    assert result.passed is False


@pytest.mark.parametrize("translation,tgt,detected", [
    ("Haga clic aquí para guardar los cambios antes de cerrar la ventana.", "pt", "Spanish (es)"),
    ("Нажмите здесь, чтобы сохранить изменения перед закрытием окна.", "uk", "Russian (ru)"),
    ("Klicken Sie hier, um Ihre Änderungen zu speichern, bevor Sie das Fenster schließen.", "nl", "German (de)"),
    ("Klicken Sie hier, um Ihre Änderungen zu speichern, bevor Sie das Fenster schließen.", "ja", "German (de)"),
])
def test_translation_in_a_third_language_is_flagged(start_server, translation, tgt, detected):
    found = flags_of(score(start_server(omission=False), translation, tgt))
    assert len(found) == 1, found
    assert detected in found[0].message and "source language" not in found[0].message


@pytest.mark.parametrize("source,translation,tgt", [
    # the source's terms kept, the translation's own words Italian / Portuguese
    ("Webhook Payload Fields", "Campi del payload del webhook", "it"),
    ("Webhook Payload Fields", "Campos do payload do webhook", "pt"),
    # Czech that lingua reads as Slovak: the two are not told apart on short text
    ("Create new forum post", "Vytvořit nový příspěvek na fóru", "cs"),
    ("Pick Accepted Status Codes…", "Vyberte stavové kódy, které chcete akceptovat…", "cs"),
])
def test_kept_terms_and_close_languages_are_not_the_wrong_language(start_server, source, translation, tgt):
    assert flags_of(score(start_server(omission=False), translation, tgt, source=source)) == []


def test_a_source_language_text_that_keeps_the_source_words_is_still_flagged(start_server):
    source = "Click here to save your changes before you close the window."
    translation = "Click here to save all of your changes before you close this window, please."
    assert len(flags_of(score(start_server(omission=False), translation, "it", source=source))) == 1
