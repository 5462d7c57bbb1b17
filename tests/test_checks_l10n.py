"""Localization checks through a real server on loopback: placeholders of every syntax, inline
tags and codes, plural forms, length limits, truncation, and what text scorers ignore."""

from __future__ import annotations

import grpc
import pytest

from conftest import score_one
from lacuna.client.client import Client, LacunaError, to_options
from lacuna.proto import types_pb2


def of_type(result, *types):
    return [f for f in result.flags if f.type in types]


def score(server, segments, **options):
    with Client(server.address, timeout=30) as client:
        opts = to_options(**options) if options else None
        return client.score(segments, options=opts).segments


SYNTAXES = [  # (style, source, translation keeping it, the placeholder)
    ("printf", "Delete %s now?", "%s jetzt löschen?", "%s"),
    ("printf positional", "Copy %1$s to %2$s.", "%2$s nach %1$s kopieren.", "%1$s"),
    ("printf objc", "Hello %@, welcome back.", "Hallo %@, willkommen zurück.", "%@"),
    ("printf named", "Deleted %(count)d files.", "%(count)d Dateien gelöscht.", "%(count)d"),
    ("brace index", "Page {0} of {1}", "Seite {0} von {1}", "{1}"),
    ("brace name", "Hello {name}, you have mail.", "Hallo {name}, Sie haben Post.", "{name}"),
    ("brace format", "Total: {0:N2} euros", "Summe: {0:N2} Euro", "{0:N2}"),
    ("icu argument", "Sent on {date, date, short}.", "Gesendet am {date, date, short}.", "{date, date, short}"),
    ("double brace", "At least {{ limit }} characters.", "Mindestens {{ limit }} Zeichen.", "{{ limit }}"),
    ("percent brace", "You have %{count} new messages.", "Sie haben %{count} neue Nachrichten.", "%{count}"),
    ("percent number", "Order %1 was shipped to %2.", "Bestellung %1 wurde an %2 versandt.", "%2"),
    ("symfony percent", "Welcome %name%, good to see you.", "Willkommen %name%, schön Sie zu sehen.", "%name%"),
    ("magento percent", "Payment error. %value was not found.", "Zahlungsfehler. %value wurde nicht gefunden.",
     "%value"),
    ("dollar", "Hello ${user}, your plan renews today.", "Hallo ${user}, Ihr Tarif verlängert sich heute.",
     "${user}"),
]


@pytest.mark.parametrize("style,source,translation,placeholder", SYNTAXES, ids=[s[0] for s in SYNTAXES])
def test_each_syntax_kept_passes_and_dropped_is_critical(checks_server, style, source, translation, placeholder):
    kept = score_one(checks_server, source, translation)
    assert not of_type(kept, "placeholder_missing", "placeholder_extra", "placeholder_changed"), kept.flags
    dropped = score_one(checks_server, source, translation.replace(placeholder, "", 1))
    flags = of_type(dropped, "placeholder_missing")
    assert len(flags) == 1 and flags[0].severity == "critical" and not dropped.passed
    span = flags[0].source_span
    assert source[span.start:span.end] == placeholder


def test_html_entity_dropped_is_minor(checks_server):
    result = score_one(checks_server, "Terms &amp; Conditions apply to every order.",
                       "Für jede Bestellung gelten die AGB.")
    [flag] = of_type(result, "placeholder_missing")
    assert flag.severity == "minor" and result.passed


def test_changed_type_and_extra_placeholder(checks_server):
    changed = score_one(checks_server, "Delete %s files?", "%d Dateien löschen?")
    [flag] = of_type(changed, "placeholder_changed")
    assert flag.severity == "critical" and "'%s' became '%d'" in flag.message
    assert (flag.source_span.start, flag.target_span.start) == (7, 0)
    extra = score_one(checks_server, "Save the file.", "Datei {0} speichern.")
    [flag] = of_type(extra, "placeholder_extra")
    assert flag.severity == "major" and "Datei {0} speichern."[flag.target_span.start:flag.target_span.end] == "{0}"


def test_a_job_chooses_styles_and_adds_its_own_pattern(checks_server):
    seg = {"id": "a", "source": "Hello [[user]], {0} new", "translation": "Hallo, neu", "src_lang": "en",
           "tgt_lang": "de"}
    [result] = score(checks_server, [seg], placeholder_styles=["printf"], placeholder_patterns=[r"\[\[\w+\]\]"])
    assert [f.message for f in of_type(result, "placeholder_missing")] == [
        "the placeholder '[[user]]' is missing from the translation"]  # {0} not checked: brace style not chosen
    [result] = score(checks_server, [seg])
    assert {f.message.split("'")[1] for f in of_type(result, "placeholder_missing")} == {"{0}"}


@pytest.mark.parametrize("options,field", [
    ({"placeholder_patterns": ["(unclosed"]}, "options.placeholder_patterns[0]"),
    ({"placeholder_patterns": ["x*"]}, "options.placeholder_patterns[0]"),
    ({"placeholder_styles": ["printf", "mustache"]}, "options.placeholder_styles[1]"),
])
def test_bad_placeholder_options_are_invalid_argument(checks_server, options, field):
    seg = {"id": "a", "source": "Hi", "translation": "Hallo", "src_lang": "en", "tgt_lang": "de"}
    with pytest.raises(LacunaError) as err:
        score(checks_server, [seg], **options)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and field in str(err.value)


def test_html_tags_in_text_missing_extra_and_nesting(checks_server):
    source = "Click <b>here</b> to <a href=\"/help\">get help</a>."
    ok = score_one(checks_server, source, "Klicken Sie <b>hier</b>, um <a href=\"/hilfe\">Hilfe</a> zu erhalten.")
    assert not of_type(ok, "tag_missing", "tag_extra", "tag_nesting")
    dropped = score_one(checks_server, source, "Klicken Sie <b>hier</b>, um Hilfe</a> zu erhalten.")
    [flag] = of_type(dropped, "tag_missing")
    assert source[flag.source_span.start:flag.source_span.end] == "<a href=\"/help\">"
    swapped = score_one(checks_server, source, "Klicken Sie </b>hier<b>, um <a href=\"/h\">Hilfe</a> zu erhalten.")
    assert [f.severity for f in of_type(swapped, "tag_nesting")] == ["critical"]
    prose = score_one(checks_server, "Run init <source language> now.", "Führen Sie init <Ausgangssprache> aus.")
    assert not of_type(prose, "tag_missing")  # prose in angle brackets is not markup


def test_inline_codes_sent_with_the_segment(checks_server):
    source = 'Save <g id="1">all</g> files<x id="2"/>'
    target = 'Alle <g id="1">Dateien</g> speichern'
    seg = {"id": "c", "source": source, "translation": target, "src_lang": "en", "tgt_lang": "de",
           "source_codes": [{"id": "1", "kind": "open", "start": 5, "end": 15, "element": "g", "pair": "g:1"},
                            {"id": "1", "kind": "close", "start": 18, "end": 22, "element": "g", "pair": "g:1"},
                            {"id": "2", "kind": "standalone", "start": 28, "end": 39, "element": "x"}],
           "target_codes": [{"id": "1", "kind": "open", "start": 5, "end": 15, "element": "g", "pair": "g:1"},
                            {"id": "1", "kind": "close", "start": 22, "end": 26, "element": "g", "pair": "g:1"}]}
    [result] = score(checks_server, [seg])
    [flag] = of_type(result, "tag_missing")
    assert source[flag.source_span.start:flag.source_span.end] == '<x id="2"/>' and flag.severity == "critical"
    bad = dict(seg, target_codes=[{"id": "1", "kind": "open", "start": 30, "end": 99}])
    with pytest.raises(LacunaError) as err:
        score(checks_server, [bad])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "target_codes[0]" in str(err.value)


def test_a_unit_of_only_a_placeholder_or_code_is_scored(checks_server):
    seg = {"id": "p", "source": '<x id="1"/>', "translation": '<x id="1"/>', "src_lang": "en", "tgt_lang": "ja",
           "source_codes": [{"id": "1", "kind": "standalone", "start": 0, "end": 11}],
           "target_codes": [{"id": "1", "kind": "standalone", "start": 0, "end": 11}]}
    results = score(checks_server, [seg, {"id": "q", "source": "{0}", "translation": "{0}", "src_lang": "en",
                                          "tgt_lang": "ja"}])
    assert all(r.passed and not r.error for r in results), [r.flags for r in results]


SYMFONY = ("You must select at least {{ limit }} choice.|You must select at least {{ limit }} choices.")


@pytest.mark.parametrize("tgt,translation,flagged", [
    ("ja", "{{ limit }}個以上選択してください。", False),  # one form is right for Japanese
    ("zh", "您至少需要选择 {{ limit }} 个选项。", False),
    ("ru", "Вы должны выбрать хотя бы {{ limit }} вариант.|Вы должны выбрать хотя бы {{ limit }} варианта.|"
           "Вы должны выбрать хотя бы {{ limit }} вариантов.", False),
    ("ru", "Вы должны выбрать хотя бы {{ limit }} вариант.|Вы должны выбрать хотя бы {{ limit }} вариантов.", True),
    ("ar", "|".join(["يجب ان تختار {{ limit }} اختيار على الاقل."] * 6), False),
    ("ar", "|".join(["يجب ان تختار {{ limit }} اختيار على الاقل."] * 2), True),
    ("de", "Sie müssen mindestens {{ limit }} Möglichkeit wählen.|", True),  # an empty form
])
def test_pipe_plurals_per_target_language(checks_server, tgt, translation, flagged):
    result = score_one(checks_server, SYMFONY, translation, tgt=tgt)
    assert bool(of_type(result, "plural_forms")) == flagged, result.flags
    if not flagged:
        assert not of_type(result, "placeholder_missing", "omission")


def test_symfony_interval_forms_must_all_be_kept(checks_server):
    source = "{0} No apples|{1} One apple|]1,Inf[ %count% apples"
    ok = score_one(checks_server, source, "{0} Keine Äpfel|{1} Ein Apfel|]1,Inf[ %count% Äpfel")
    assert not of_type(ok, "plural_forms", "placeholder_missing")
    lost = score_one(checks_server, source, "{0} Keine Äpfel|]1,Inf[ %count% Äpfel")
    assert "{1}" in of_type(lost, "plural_forms")[0].message


ICU = "{count, plural, one {# file was deleted} other {# files were deleted}}"


@pytest.mark.parametrize("tgt,translation,severity", [
    ("ja", "{count, plural, other {#個のファイルを削除しました}}", None),
    ("de", "{count, plural, one {# Datei wurde gelöscht} other {# Dateien wurden gelöscht}}", None),
    ("de", "{count, plural, one {# Datei wurde gelöscht}}", "critical"),  # no other
    ("ru", "{count, plural, one {# файл удалён} other {# файлов удалено}}", "major"),  # few and many missing
    ("ru", "{count, plural, one {# файл удалён} few {# файла удалено} many {# файлов удалено} "
           "other {# файла удалено}}", None),
    ("de", "{n, plural, one {# Datei wurde gelöscht} other {# Dateien wurden gelöscht}}", "critical"),  # renamed
])
def test_icu_plural_branches(checks_server, tgt, translation, severity):
    result = score_one(checks_server, ICU, translation, tgt=tgt)
    flags = of_type(result, "plural_forms")
    assert (max((f.severity for f in flags), key=["minor", "major", "critical"].index) if flags else None) == severity
    if severity is None:
        assert result.passed, result.flags


def test_icu_select_and_branch_placeholders(checks_server):
    source = "{gender, select, female {{name} added you} male {{name} added you} other {{name} added you}}"
    ok = score_one(checks_server, source, "{gender, select, female {{name} hat Sie hinzugefügt} "
                                          "male {{name} hat Sie hinzugefügt} other {{name} hat Sie hinzugefügt}}")
    assert ok.passed, ok.flags
    lost = score_one(checks_server, source, "{gender, select, female {{name} hat Sie hinzugefügt} "
                                            "other {Sie wurden hinzugefügt}}")
    assert of_type(lost, "plural_forms") and of_type(lost, "placeholder_missing")


def test_po_plural_form_left_empty(checks_server):
    seg = {"id": "f", "source": "%d files", "translation": "", "src_lang": "en", "tgt_lang": "ru",
           "labels": {"plural_form": "many"}}
    [result] = score(checks_server, [seg])
    assert [f.severity for f in of_type(result, "plural_forms")] == ["critical"]


def test_length_limit_from_the_segment_or_the_job(checks_server):
    seg = {"id": "l", "source": "Save", "translation": "Speichern", "src_lang": "en", "tgt_lang": "de",
           "max_length": 6}
    [result] = score(checks_server, [seg])
    [flag] = of_type(result, "length_limit")
    assert flag.severity == "major" and (flag.target_span.start, flag.target_span.end) == (6, 9)
    [result] = score(checks_server, [dict(seg, max_length=0)], max_length=20)
    assert not of_type(result, "length_limit")
    [result] = score(checks_server, [dict(seg, max_length=0)], max_length=5)
    assert of_type(result, "length_limit")


def test_storage_limit_in_bytes_and_a_bad_encoding(checks_server):
    seg = {"id": "b", "source": "Delete", "translation": "Löschen", "src_lang": "en", "tgt_lang": "de",
           "max_bytes": 7}
    [result] = score(checks_server, [seg])  # 8 bytes in UTF-8
    [flag] = of_type(result, "length_limit")
    assert "8 bytes in UTF-8" in flag.message and flag.target_span.start == 6
    [result] = score(checks_server, [dict(seg, max_bytes=8)])
    assert not of_type(result, "length_limit")
    [result] = score(checks_server, [dict(seg, max_bytes=12, storage_encoding="utf-16")])
    assert "14 bytes in UTF-16" in of_type(result, "length_limit")[0].message
    with pytest.raises(LacunaError) as err:
        score(checks_server, [dict(seg, storage_encoding="latin-1")])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "storage_encoding" in str(err.value)

def test_truncated_translation(checks_server):
    source = "The value of the netmask should be between {{ min }} and {{ max }}."
    result = score_one(checks_server, source, "Der Wert der Netzmaske sollte zwischen {{ min")
    assert of_type(result, "truncated")
    result = score_one(checks_server, "This mail can be safely ignored if you did not initiate this action.",
                       "Diese E-Mail können Sie")
    assert of_type(result, "truncated")
    whole = score_one(checks_server, "This mail can be safely ignored if you did not initiate this action.",
                      "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail.")
    assert not of_type(whole, "truncated")
    label = score_one(checks_server, "Shipping Method:", "配送方法:", tgt="ja")
    assert not of_type(label, "truncated")
    bracket = score_one(checks_server, "Please enter a valid email address (for example, the one you use at work).",
                        "请输入一个有效的电子邮件地址（例如，", tgt="zh")
    assert of_type(bracket, "truncated")


@pytest.mark.parametrize("source,translation,tgt,why", [
    # the cut took the source's last placeholder with it
    ("A sign-in code has been sent to %(recipient)s.", "Код для входа был отправлен по", "ru", "placeholder"),
    ("Thank you for using %(site_name)s!\n%(site_domain)s", "%(site_name)s をご利用いただきあり", "ja", "placeholder"),
    # a bracket or quote opened near the end and never closed
    ("Please enter a valid email address (Ex: johndoe@domain.com).", "请输入一个有效的电子邮件地址 (Ex:", "zh", "bracket"),
    # a list or title cut on a comma, a title cut mid-word
    ("API secret, client secret, or consumer secret", "Секретный ключ API,", "ru", "comma"),
    ("View your basic profile information", "Просмотреть основную", "ru", "mid-phrase"),
    # a name copied from the source, cut midway
    ("Rename HelpandManualDialect.java and HelpandManualFilter.java.", "重命名HelpandManualDialect.java和HelpandMa",
     "zh", "word"),
])
def test_truncation_signs_without_a_final_stop(checks_server, source, translation, tgt, why):
    [flag] = of_type(score_one(checks_server, source, translation, tgt=tgt), "truncated")
    assert flag.severity == "major"


@pytest.mark.parametrize("source,translation,tgt", [
    ("Passwordless", "Без пароля", "ru"),  # terse titles
    ("Frequently asked questions", "Questions fréquentes", "fr"),
    ("Two-Factor Authentication", "多要素認証", "ja"),  # Japanese titles are short, whatever the ratio
    ("message of the notification", "알림 메시지", "ko"),  # so are Korean ones, spaces or not
    ("Number of different character classes required in password: Lowercase, Uppercase, Digits, Special "
     "Characters.", "パスワードに要求する文字種の種類: 大文字;小文字, 数字, 記号", "ja"),  # a complete list
    ("When you exit the project.", "在退出项目时，", "zh"),  # a sentence continued in the next unit
    ("Oracle provides JREs for Linux x64", "Oracle 提供用于 Linux x64 的 JRE", "zh"),  # a singular, not a cut word
    ("Configurable product \"%1\" does not have sub-products", "可配置的产品“% 1”没有子产品", "zh"),
])
def test_whole_translations_are_not_truncated(checks_server, source, translation, tgt):
    assert not of_type(score_one(checks_server, source, translation, tgt=tgt), "truncated")


@pytest.mark.parametrize("source,translation,tgt", [
    # ends on a placeholder of the source, not on a dangling word (the first: on the one that ends the source)
    ("Search within %(docstitle)s", "Suche in %(docstitle)s", "de"),
    ("Look for %(term)s in the index", "Chercher %(term)s", "fr"),
    # shorter than expected but ends on a whole word, not on an article or preposition
    ("Source parser for %s not registered", "source_parser pour %s non enregistré", "fr"),
    ("template directory for template files", "répertoire des templates", "fr"),
    ("Show hidden files in the sidebar", "Versteckte Dateien zeigen", "de"),
    # "batch" starts "batchfile" and "dict" starts "dictionary", in translations longer than expected
    ("create batchfile", "créer un fichier batch", "fr"),
    ("do not create batchfile", "ne pas créer un fichier batch", "fr"),
    ("linkcheck_allowed_redirects. Expected a dictionary.", "linkcheck_allowed_redirects. 需要一个 dict", "zh-CN"),
    ("Export the report as JSON", "Exportieren als JSON", "de"),  # ends on the source's last word
    ("Sort by", "Ordenar por", "es"),  # the source ends on a preposition too
    # Latin-script words that start like a source word are the language's own, not a cut copy
    ("Duplicate", "Duplica", "it"),
    ("message of the notification", "Messaggio della notifica", "it"),
    ("Please input title", "Voer een titel in", "nl"),
    ("Allow indexing", "Cho phép index", "vi"),
    ("WebHookUrl", "URL del WebHook", "it"),  # a camel-case part of the source's word, whole
])
def test_short_or_reworded_translations_are_not_cut_off(checks_server, source, translation, tgt):
    result = score_one(checks_server, source, translation, tgt=tgt)
    assert not [f for f in of_type(result, "truncated") if f.severity in ("major", "critical")], result.flags


@pytest.mark.parametrize("translation,tgt,flagged", [
    ("{count} コメント", "ja", False),  # one form in Japanese: the plural collapsed to its argument
    ("{count, number} 条评论", "zh", False),
    ("{count} Kommentare", "de", True),  # German needs `one`: "1 Kommentare"
    ("{total} コメント", "ja", True),  # another argument
])
def test_icu_plural_collapsed_to_its_argument(checks_server, translation, tgt, flagged):
    source = "{count, plural, one {# comment} other {# comments}}"
    result = score_one(checks_server, source, translation, tgt=tgt)
    failing = [f for f in result.flags if f.severity in ("major", "critical")]
    assert bool(failing) == flagged, result.flags
    assert not [f for f in result.flags if f.type == "placeholder_extra" and "{count}" in f.message]


@pytest.mark.parametrize("source,translation,tgt", [
    # pieces of a sentence the interface completes with a link: the translation ends where its
    # language puts the link, on a comma (Angular i18n strings, ORCID-like)
    ("We couldn't complete your registration. Please try again, and if the error persists please",
     "登録を完了できませんでした。もう一度お試しください。エラーが解決しない場合は、", "ja"),
    ("If you no longer have access to the email addresses of this account, please",
     "如果您无法再访问此帐户的电子邮件地址，", "zh"),
    ("please visit the online help centre", "オンラインヘルプセンターで、", "ja"),
    # a clause the translator moved before the link, longer than the English piece
    ("Please contact", "このアカウントが誤ってロックされていると思われる場合は、", "ja"),
    # "etc." closes an abbreviation, not a sentence
    ("Add or update your research activities (works, affiliations, etc.)", "研究活動 (業績、所属など) の追加・更新", "ja"),
    # German quotes open with „ and close with “ (not an English opening quote)
    ("Set email visibility to Trusted Parties", "Sichtbarkeit von E-Mails auf „Vertrauenswürdige Parteien“ festlegen",
     "de"),
    ("Collapse the Funding section", "Abschnitt „Finanzierung“ einklappen", "de"),
    # words of Latin-script languages that start as the English one does (cognates), not cut copies
    ("Relationship", "Relation", "fr"),
    ("Show citation", "Mostrar cita", "es"),
    ("United Kingdom", "Royaume-Uni", "fr"),
    ("Visit the website", "Visitez le site web", "fr"),
    # a subordinate clause alone, the tail of a sentence, a title ending on a preposition as its source does
    ("If you have any questions", "Pour toute question,", "fr"),
    ("account settings.", "paramètres", "fr"),
    ("Distinguish yourself in", "Distíngase en", "es"),
    # a Korean label for a short sentence, a piece that opens a bracket the next string closes
    ("Read limited information from your biography.", "자기소개에서 제한된 정보 읽기", "ko"),
    ("If you are no longer affiliated with", "더 이상 다음 기관과 관련이 없다면(기관:", "ko"),
    # a whole Japanese sentence written without its 。
    ("Allow this application to get your identifier and read information on your record that you have "
     "marked as public.", "識別子と公開情報を共有します", "ja"),
])
def test_pieces_of_sentences_and_whole_sentences_are_not_cut_off(checks_server, source, translation, tgt):
    result = score_one(checks_server, source, translation, tgt=tgt)
    assert not of_type(result, "truncated"), result.flags


@pytest.mark.parametrize("source,translation,tgt,kind", [
    ("Your default visibility is", "Ihre Standardsichtbarkeit", "de", "truncated"),  # ends on a copula
    ("email addresses, see our help pages for", ".", "ru", "length_ratio"),  # all words moved to other strings
    ("Enter a recovery code", "Zadejte obnovující kód", "cs", "wrong_language"),  # Czech, read as Slovak
    ("DOI", "数字对象唯一标识符（DOI）", "zh", "length_ratio"),  # an acronym kept and spelled out
    ("Confirm two-factor recovery codes", "Potvrdit obnovovací kódy dvoufázového ověření", "cs", "wrong_language"),
])
def test_no_major_flag_on_pieces_and_short_czech(checks_server, source, translation, tgt, kind):
    result = score_one(checks_server, source, translation, tgt=tgt)
    assert not [f for f in result.flags if f.type == kind and f.severity in ("major", "critical")], result.flags


@pytest.mark.parametrize("source,translation,tgt", [
    # the same shapes, cut: a list cut between items, a translation under its expected length
    ("Works, affiliations, funding, peer review", "Werke, Zugehörigkeiten,", "de"),
    ("users who want to know whether the files they keep have any issues or not.",
     "les utilisateurs souhaitant savoir si les", "fr"),  # the tail of a sentence, cut on an article
    ("Only the identifier types \"grant number\" and \"uri\" are allowed when you use \"funded-by\" identifiers",
     "Bei der Verwendung von „funded-by“-Kennungen sind nur die Kennungstypen „Fördernummer“ und „uri", "de"),
    ("If the error persists please contact the support team by e-mail or by telephone.",
     "エラーが続く場合は、", "ja"),
    ("Allow this application to get your identifier and read information on your record that you have "
     "marked as public.", "識別子と、レコードにある公開", "ja"),
])
def test_cuts_next_to_those_shapes_are_still_found(checks_server, source, translation, tgt):
    [flag] = of_type(score_one(checks_server, source, translation, tgt=tgt), "truncated")
    assert flag.severity == "major"


@pytest.mark.parametrize("source,translation,tgt", [
    ("Save changes", "Save chan", "en"),  # a copied word cut midway
    ("Search within the current project", "Rechercher dans le", "fr"),  # ends on an article
    ("Settings of the selected account", "Configuración de la", "es"),
    ("View your basic profile information", "Просмотреть основную", "ru"),  # an adjective without its noun
    ("Please check the address and try sending the message again.", "Bitte prüfen Sie die Adresse und", "de"),
    ("Search within %(docstitle)s.", "Suche in", "de"),  # the last placeholder lost with the tail
])
def test_translations_that_stop_short_are_cut_off(checks_server, source, translation, tgt):
    [flag] = of_type(score_one(checks_server, source, translation, tgt=tgt), "truncated")
    assert flag.severity == "major"


def test_a_dropped_sentence_is_an_omission_without_a_model(checks_server):
    source = "Your sign-in code is listed below. Please enter it in your open browser window before it expires."
    result = score_one(checks_server, source, "以下にあなたのログインコードが記載されています。", tgt="ja")
    [flag] = [f for f in of_type(result, "omission") if f.detector == "sentence_count"]
    assert flag.severity == "major" and "2 sentences, the translation 1" in flag.message
    # lengths do not say which sentence is missing: the span is the whole source
    assert (flag.source_span.start, flag.source_span.end) == (0, len(source))
    shorter = score_one(checks_server, "Your account is protected by two-factor authentication. Please enter an "
                        "authenticator code:", "あなたのアカウントは多要素認証で保護されています。", tgt="ja")
    assert [f.severity for f in of_type(shorter, "omission") if f.detector == "sentence_count"] == ["minor"]
    merged = score_one(checks_server, "This password has been leaked. Please use another password.",
                       "このパスワードは漏洩しているため、別のパスワードを使用してください。", tgt="ja")
    assert not [f for f in of_type(merged, "omission") if f.detector == "sentence_count"]
    wrapped = score_one(checks_server, "We have sent an email to you for\nverification. Please click the link.",
                        "確認のため、メールを\n送信しました。リンクをクリックしてください。", tgt="ja")
    assert not of_type(wrapped, "omission")
    german = score_one(checks_server, "The password strength is too low. Please use a stronger password.",
                       "Das Passwort ist zu schwach.")  # the omission detector's, with its span
    assert not [f for f in of_type(german, "omission") if f.detector == "sentence_count"]


@pytest.mark.parametrize("source,tgt", [
    ("npm run build", "ja"),
    ("git clone https://github.com/example/project.git", "de"),
    ("getStaticProps()", "zh"),
    ("const config = require('./next.config.js');", "fr"),
])
def test_code_left_unchanged_is_not_untranslated(checks_server, source, tgt):
    result = score_one(checks_server, source, source, tgt=tgt)
    assert not of_type(result, "untranslated", "wrong_language"), result.flags


def test_japanese_with_inline_code_and_product_names_is_japanese(checks_server):
    result = score_one(checks_server, '"oauth_token" (OAuth1) or access token (OAuth2)',
                       "「oauth_token」(OAuth1) もしくは Access Token (OAuth2)", tgt="ja")
    assert not of_type(result, "wrong_language"), result.flags
    result = score_one(checks_server, "Run `npm run dev` to start the Next.js development server.",
                       "`npm run dev` を実行して Next.js の開発サーバーを起動します。", tgt="ja")
    assert not of_type(result, "wrong_language", "untranslated"), result.flags
    copy = score_one(checks_server, "Open the settings and choose a new password for your account.",
                     "Open the settings and choose a new password for your account.", tgt="ja")
    assert of_type(copy, "untranslated")  # a real copy is still caught


def test_the_new_checks_are_listed(checks_server):
    with Client(checks_server.address, timeout=30) as client:
        names = {c.name for c in client.capabilities().checks}
    assert {"placeholders", "tags", "plurals", "length_limit", "truncation", "sentence_count"} <= names


def test_omission_ignores_markup_and_collapsed_plurals(base_server):
    """The omission scorer reads the text without markup: a Japanese plural rightly collapsed to one
    form, and a translation whose placeholders and tags are all there, are not omissions."""
    pairs = [
        ("This collection should contain {{ limit }} element or more.|This collection should contain "
         "{{ limit }} elements or more.", "要素は{{ limit }}個以上でなければなりません。"),
        ("{count, plural, one {# new message arrived} other {# new messages arrived}}",
         "{count, plural, other {#件の新着メッセージがあります}}"),
        ('Click <g id="1">Save</g> to keep your changes.<x id="2"/>', '変更を保持するには<g id="1">保存</g>をクリックしてください。<x id="2"/>'),
    ]
    segments = [{"id": str(i), "source": s, "translation": t, "src_lang": "en", "tgt_lang": "ja"}
                for i, (s, t) in enumerate(pairs)]
    with Client(base_server.address, timeout=120) as client:
        results = client.score(segments, metrics=["omission"]).segments
    for result in results:
        assert not result.error and not of_type(result, "omission"), result.flags


def test_a_heading_between_decorations_is_text_not_code(checks_server):
    """`== History ==` once counted as code (a quarter of it symbols): it got no score at all."""
    heading, code = score(checks_server, [
        {"id": "h", "source": "== History ==", "translation": "== Geschichte ==", "reference": "== Geschichte ==",
         "src_lang": "en", "tgt_lang": "de"},
        {"id": "c", "source": "x = foo(bar);", "translation": "x = foo(bar);", "reference": "x = foo(bar);",
         "src_lang": "en", "tgt_lang": "de"}])
    assert heading.scores["chrf"] == pytest.approx(100.0)
    assert "chrf" not in code.scores  # a source line has no words to score


def test_a_line_in_brackets_is_text_not_code(checks_server):
    """`(Applause)` once counted as code (a fifth of it brackets): blanked, it read as untranslated."""
    bracketed, copy = score(checks_server, [
        {"id": "b", "source": "(Applause)", "translation": "(Beifall)", "reference": "(Beifall)",
         "src_lang": "en", "tgt_lang": "de"},
        {"id": "z", "source": "（掌声）", "translation": "(Applause)", "src_lang": "zh", "tgt_lang": "en"}])
    assert bracketed.scores["chrf"] == pytest.approx(100.0)
    assert not of_type(copy, "untranslated", "wrong_language", "omission"), copy.flags


def test_prose_ending_in_a_semicolon_is_text_not_code(checks_server):
    """A sentence ending with ";" once counted as a source line: blanked, it got no scores and a
    length_ratio flag saying about 0 characters were expected."""
    prose, code = score(checks_server, [
        {"id": "p", "source": "The first goal of the night came from a rookie in the second period;",
         "translation": "Das erste Tor des Abends schoss ein Neuling im zweiten Drittel;",
         "reference": "Das erste Tor des Abends schoss ein Neuling im zweiten Drittel;",
         "src_lang": "en", "tgt_lang": "de"},
        {"id": "c", "source": "total = add(first, second);", "translation": "total = add(first, second);",
         "reference": "total = add(first, second);", "src_lang": "en", "tgt_lang": "de"}])
    assert prose.scores["chrf"] == pytest.approx(100.0)
    assert not of_type(prose, "length_ratio", "untranslated"), prose.flags
    assert "chrf" not in code.scores  # a statement is still code


@pytest.mark.parametrize("source,translation", [
    ("node type %s has no visitor for this writer", "Knotentyp %s hat keinen Besucher für diesen Writer"),
    ("'%s' must be 'on' or 'off', got '%s'", "'%s' muss 'on' oder 'off' sein, nicht '%s'"),
    ("missing '+' or '-' in the '%s' value.", "'+' oder '-' fehlt im Wert '%s'."),
    ("%s() (in class %s)", "%s() (in der Klasse %s)"),
])
def test_messages_that_quote_values_or_start_with_a_command_word_are_text(checks_server, source, translation):
    """Found on real gettext catalogs: a message starting with "node" read as a command line, and
    one quoting values ('%s', '0', '+') or naming a call ("%s()") as a symbol-heavy source line.
    Blanked, it got no scores and a major length_ratio flag: "about 0 characters expected"."""
    (result,) = score(checks_server, [{"id": "m", "source": source, "translation": translation,
                                       "reference": translation, "src_lang": "en", "tgt_lang": "de"}])
    assert result.scores["chrf"] == pytest.approx(100.0)
    assert not of_type(result, "length_ratio"), result.flags


def test_a_source_that_is_all_code_gets_no_length_ratio_flag(checks_server):
    """A source line that is all code has no length to expect of a translation that explains it."""
    (result,) = score(checks_server, [{"id": "c", "source": "npm run build",
                                       "translation": "npm run build を実行して、本番用のファイルを作成します",
                                       "src_lang": "en", "tgt_lang": "ja"}])
    assert not of_type(result, "length_ratio"), result.flags


@pytest.mark.parametrize("source,translation,tgt", [
    ("Q = qualified for the final by place. WR = world record.",
     "Q = für das Finale qualifiziert nach Platz. WR = Weltrekord.", "de"),
    ("Alt=A portrait of a bearded man reading under a tree.", "Alt=木の下で本を読むひげの男の肖像画。", "ja"),
    ("Project history of the United States}}", "Projektgeschichte der Vereinigten Staaten}}", "de"),
])
def test_legends_and_names_in_prose_are_text_not_code(checks_server, source, translation, tgt):
    """A legend line ("X = meaning"), alt text and wiki text closing a template ("}}") once read
    as an assignment or the end of a block and were blanked: the segment got no scores."""
    (result,) = score(checks_server, [{"id": "x", "source": source, "translation": translation,
                                       "reference": translation, "src_lang": "en", "tgt_lang": tgt}])
    assert result.scores["chrf"] == pytest.approx(100.0)


def test_identifiers_are_ascii():
    """"Kangaroo夫人:Splodgeの母親" once matched as one ns:name identifier (CJK letters are \\w)."""
    from lacuna.server.checks.code_spans import code_spans

    assert code_spans("Kangaroo夫人:Splodgeの母親で、ピンクのドレスを着ています。") == []
    assert code_spans("Set module.exports before calling getStaticProps().") == [(4, 18), (34, 50)]


def test_command_words_start_prose_too():
    """"node", "curl" or "composer" open sentences as well as command lines: a run of words with
    a function word in it is prose; a command's arguments, quoted messages aside, are not."""
    from lacuna.server.checks.code_spans import code_spans

    assert code_spans("node has an invalid level") == []
    assert code_spans("curl up with a good book") == []
    assert code_spans("npm run build") == [(0, 13)]
    assert code_spans("pip install requests flask numpy") == [(0, 32)]
    assert (0, 40) in code_spans("git commit -m 'fix the link in the docs'")


@pytest.mark.parametrize("source,translation,tgt", [
    ('Must contain "username" and "password".', 'Debe contener "username" y "password".', "es"),  # was Italian
    ('Both "email" and "token" are required.', '« email » et « token » sont obligatoires.', "fr"),
])
def test_source_words_quoted_in_a_short_translation_do_not_decide_its_language(checks_server, source, translation, tgt):
    """Found on Django REST framework's catalogs: field names quoted in a short Spanish or French
    message made it read as Italian (a major `wrong_language` flag)."""
    (result,) = score(checks_server, [{"id": "q", "source": source, "translation": translation,
                                       "src_lang": "en", "tgt_lang": tgt}])
    assert not of_type(result, "wrong_language"), result.flags


def test_a_short_phrase_rendered_as_a_chinese_label_is_not_cut_off(checks_server):
    """"The pagination cursor value." rendered "分页游标值" (no 。, 57% of the expected length) once
    read as cut off; a long sentence cut in half still is."""
    label, cut = score(checks_server, [
        {"id": "l", "source": "The sort order value.", "translation": "排序值", "src_lang": "en", "tgt_lang": "zh-CN"},
        {"id": "c", "source": "The export could not be finished because the disk is full, so free some space and try again.",
         "translation": "由于磁盘已满，导出无法", "src_lang": "en", "tgt_lang": "zh-CN"}])
    assert not of_type(label, "truncated"), label.flags
    assert of_type(cut, "truncated"), cut.flags


def test_a_one_form_source_rendered_as_a_pipe_plural_is_one_message(checks_server):
    """Found on Symfony's security catalog: an English message of one form ("… in %minutes%
    minutes.") rendered as a Russian pipe plural of three forms read as three copies of it: two
    extra placeholders, a length three times the expected, all major. Each form is now compared
    with the source; too few forms for the language is still a plural error."""
    source = "Wait %seconds% seconds before you try again."
    three = "Подождите %seconds% секунду.|Подождите %seconds% секунды.|Подождите %seconds% секунд."
    right, short = score(checks_server, [
        {"id": "r", "source": source, "translation": three, "src_lang": "en", "tgt_lang": "ru"},
        {"id": "s", "source": source, "translation": three.rsplit("|", 1)[0], "src_lang": "en", "tgt_lang": "ru"}])
    assert not [f for f in right.flags if f.severity in ("major", "critical")], right.flags
    assert of_type(short, "plural_forms"), short.flags
