"""Text reports in any common encoding read right, and mis-decoded spans are repaired."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recover.encoding import decode_text, repair_mojibake, to_simplified
from recover.errors import UnreadableEncoding

DATA = Path(__file__).parent / "data"
SEED_002 = DATA / "002_7e0d3285304a6f62.txt"


def shifted_gbk(text: str) -> str:
    """`text` as GBK read one byte out of step, the way seed 002 was damaged: a pair that is
    no GBK character is dropped, a pair with an ASCII second byte becomes '?', and an ASCII
    byte in lead position puts the reader back in step."""
    data, out, i = text.encode("gbk"), [], 1
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
        elif i + 1 < len(data) and data[i + 1] < 0x40:
            out.append("?")
            i += 2
        else:
            with contextlib.suppress(UnicodeDecodeError):
                out.append(data[i:i + 2].decode("gbk"))
            i += 2
    return "".join(out)


def utf8_read_as_gbk(text: str) -> str:
    return text.encode("utf-8").decode("gbk", errors="ignore")


# ---------------------------------------------------------------- seed 002


@pytest.fixture(scope="module")
def seed_002_lines() -> list[str]:
    return repair_mojibake(SEED_002.read_text(encoding="utf-8")).splitlines()


@pytest.mark.parametrize("expected", [
    "（一）主動公開政府信息情況",
    "（三）政府信息管理情況",
    "（四）政府信息公開平臺建設情況",
    "（五）監督保障情況",
    "（本列數據的勾稽關系為:第一項加第二項之和",
    "（一）予以公開",
    "（二）部分公開(區分處理的",
    "（三）不予公開 | 1.屬于國家秘密",
    "（四）無法提供 | 1.本機關不掌握相關政府信息",
    "（五）不予處理</p> | 1.信訪舉報投訴類申請",
    "（六）其他處理</p> | 1.申請人無正當理由逾期不補正",
    "（七）總計</p> | 0 |",
    "（一）存在的問題",
    "（二）下一步工作計劃<br/> 一是嚴格執行部署",
])
def test_seed_002_labels_read_as_traditional_chinese(seed_002_lines: list[str], expected: str):
    assert any(expected in line for line in seed_002_lines)


def test_seed_002_keeps_its_clean_lines_and_numbers(seed_002_lines: list[str]):
    original = SEED_002.read_text(encoding="utf-8").splitlines()
    assert len(seed_002_lines) == len(original)
    for before, after in zip(original, seed_002_lines, strict=True):
        if "?" not in before:
            assert after == before
        assert before.count("| 0") == after.count("| 0")
    assert not any(c in "\n".join(seed_002_lines) for c in "ㄒ┲ㄎ澹┢")


# ---------------------------------------------------------------- synthetic damage


@pytest.mark.parametrize("label", [
    "（三）不予公開", "（五）不予處理", "（七）總計", "（一）予以公开情况", "（四）无法提供",
    "（二）部分公开", "四、结转下年度继续办理", "（本列数据的勾稽关系为：第一项加第二项之和",
])
@pytest.mark.parametrize(("after", "restored"), [
    ("</p>\n", "</p>\n"),  # the '<' the lost byte swallowed is put back
    ("\r\n", "\n"),  # the '\r' it swallowed (if it did) is not
    ("", ""),
])
def test_gbk_read_out_of_step_is_repaired(label: str, after: str, restored: str):
    garbled = shifted_gbk("　" + label + after)
    assert garbled != label + after
    if garbled.endswith("\r\n"):  # the last character's trail byte was ASCII: nothing lost
        restored = after
    assert repair_mojibake(garbled) == label + restored


@pytest.mark.parametrize("text", [
    "（一）主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "本年新收政府信息公开申请数量",
])
def test_utf8_read_as_gbk_is_repaired(text: str):
    garbled = utf8_read_as_gbk(text)
    assert repair_mojibake(garbled) == text
    assert repair_mojibake(f"前文正常。{garbled}\n后文 12") == f"前文正常。{text}\n后文 12"


def test_the_example_from_the_spec_with_its_odd_last_byte():
    assert repair_mojibake("锛堜竴锛変富鍔ㄥ叕寮") == "（一）主动公开"


def test_repair_is_local_to_the_damaged_span():
    text = "株洲市天元區信訪局\n" + shifted_gbk("　（七）總計</p>") + " | 3 | 4 |\n2022年"
    assert repair_mojibake(text) == "株洲市天元區信訪局\n（七）總計</p> | 3 | 4 |\n2022年"


# ---------------------------------------------------------------- clean text is left alone

_CLEAN = st.sampled_from(
    list("政府信息公开工作年度报告主动依申请处理结果维持纠正总计本年新收上年结转自然人商业企业"
         "科研机构社会公益组织法律服务其他规章规范性文件行政许可处罚强制事业收费金额万元"
         "不予无法提供重复出版物国家秘密三安全一稳定第方合权益内部事务过程执案卷查询项"
         "監督保障情況關係數據處開動計總無")
    + list("，。、；：（）“”　") + list("0123456789 |\n"))


@settings(max_examples=150, deadline=None)
@given(st.lists(_CLEAN, max_size=80).map("".join))
def test_repair_never_changes_clean_chinese_text(text: str):
    assert repair_mojibake(text) == text


@pytest.mark.parametrize("name", ["clean_simplified.txt", "clean_traditional.txt"])
def test_clean_reports_are_unchanged(name: str):
    text = (DATA / name).read_text(encoding="utf-8")
    assert repair_mojibake(text) == text


# ---------------------------------------------------------------- decoding bytes

SAMPLE = "（五）不予處理 | 0 | 3 |\n二、主动公开政府信息情况\n"


@pytest.mark.parametrize("data", [
    SAMPLE.encode("utf-8"),
    b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
    SAMPLE.encode("utf-16"),
    SAMPLE.encode("gb18030"),
    SAMPLE.encode("gbk"),
])
def test_decode_text_finds_the_encoding(data: bytes):
    assert decode_text(data, "report.txt") == SAMPLE


def test_decode_text_reads_big5():
    text = "政府資訊公開工作年度報告 總計 不予處理\n"
    assert decode_text(text.encode("big5"), "report.txt") == text


def test_decode_text_normalizes_windows_line_ends():
    assert decode_text("一\r\n二\r\n".encode("gbk"), "r.txt") == "一\n二\n"


def test_binary_data_is_unreadable():
    data = bytes(range(256)) * 8
    with pytest.raises(UnreadableEncoding) as caught:
        decode_text(data, "blob.txt")
    assert "blob.txt" in str(caught.value)


def test_to_simplified():
    assert to_simplified("行政規範性文件 結轉") == "行政规范性文件 结转"
