"""Tests of civictools.redact: one trap text per pitfall, checksums, labels, offsets, corpus."""

from __future__ import annotations

import pandas as pd
import pytest

from civictools.errors import TextError
from civictools.text.redact import REDACT_KINDS, CorpusRedaction, Redaction, redact, redact_corpus
from civictools.text._redact_patterns import id_check_char, is_valid_id18


# --------------------------------------------------------------------------- ID checksum
def _reference_check_char(body17: str) -> str:
    """GB 11643-1999 computed from its definition, independently of the package:
    weight of position i (1-based from the left, check digit is position 18 counting
    from the right as a_1) is W_i = 2^(i-1) mod 11 counted from the right; the check
    value a_1 satisfies sum(a_i * W_i) ≡ 1 (mod 11), and 10 is written X."""
    digits = [int(c) for c in body17]
    # positions counted from the right: body digit k (0-based from left) is position 18-k
    s = sum(d * pow(2, 17 - k, 11) for k, d in enumerate(digits))
    for a1 in range(11):
        if (s + a1) % 11 == 1:
            return "X" if a1 == 10 else str(a1)
    raise AssertionError("no check value")


def _make_id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + _reference_check_char(body)


def test_checksum_published_example():
    # GB 11643-1999 gives 11010519491231002X as its worked example.
    assert _reference_check_char("11010519491231002") == "X"
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id18("11010519491231002X")
    assert is_valid_id18("11010519491231002x")


@pytest.mark.parametrize(
    "region,birth,seq",
    [("990102", "19560312", "002"), ("990305", "19880229", "117"), ("980101", "20010101", "009"),
     ("990204", "19700615", "555"), ("990301", "19451231", "880")],
)
def test_checksum_constructed_ids(region, birth, seq):
    number = _make_id(region, birth, seq)
    assert id_check_char(number[:17]) == number[17]
    assert is_valid_id18(number)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not is_valid_id18(wrong)
    r = redact(f"身份证号{number}，错号{wrong}。", kinds="id_card")
    assert r.text == f"身份证号[身份证号1]，错号{wrong}。"


def test_id_needs_plausible_birth_date():
    bad_date = _make_id("990102", "19990230", "001")  # 30 February
    assert not is_valid_id18(bad_date)
    assert redact(f"编号{bad_date}", kinds="id_card").entities.empty


def test_fifteen_digit_id_only_with_cue():
    legacy = "990102560312002"
    assert redact(f"身份证号码：{legacy}", kinds="id_card").text == "身份证号码：[身份证号1]"
    assert redact(f"流水号{legacy}", kinds="id_card").entities.empty


def test_order_number_is_not_an_id():
    assert redact("订单编号202305120000123456已处理", kinds=("id_card", "phone")).entities.empty


# --------------------------------------------------------------------------- phones
@pytest.mark.parametrize(
    "phone",
    ["13900001234", "139 0000 1234", "139-0000-1234", "+86 139 0000 1234", "+86-13900001234",
     "0975-00001234", "(0975)00001234", "（010）00001234", "010-0000123"],
)
def test_phone_formats(phone):
    r = redact(f"联系方式：{phone}，谢谢", kinds="phone")
    assert r.entities["original"].tolist() == [phone]
    assert r.text == "联系方式：[电话1]，谢谢"


@pytest.mark.parametrize(
    "text",
    ["请拨打12345政务服务便民热线", "报警110，急救120，反诈96110", "2023年共办结13800件",
     "涉及金额1380000元", "客服热线400-000-1234", "编号12900001234不是手机号",
     "流水号2023139000012345", "5月16日14:30开会"],
)
def test_not_phones(text):
    assert redact(text, kinds="phone").entities.empty


def test_same_number_in_two_formats_gets_one_label():
    r = redact("手机13900001234，也可拨139 0000 1234或+86 139-0000-1234", kinds="phone")
    assert set(r.entities["replacement"]) == {"[电话1]"}


def test_cued_local_number():
    assert redact("值班电话：8888 6666", kinds="phone").text == "值班电话：[电话1]"


# --------------------------------------------------------------------------- email, plates
def test_email():
    r = redact("发邮件至 zhang.san@example.org 或 ZHANG.SAN@example.org。", kinds="email")
    assert r.entities["original"].tolist() == ["zhang.san@example.org", "ZHANG.SAN@example.org"]
    assert set(r.entities["replacement"]) == {"[邮箱1]"}


@pytest.mark.parametrize("plate", ["青A·12345", "青A12345", "京A·5K382", "粤B·D12345", "青AD12345", "苏E·1234学"])
def test_plates(plate):
    r = redact(f"车牌为{plate}的车辆", kinds="plate")
    assert r.entities["original"].tolist() == [plate]


@pytest.mark.parametrize("text", ["云A计划", "新A区", "青A级景区", "川A队胜出"])
def test_not_plates(text):
    assert redact(text, kinds="plate").entities.empty


# --------------------------------------------------------------------------- addresses
@pytest.mark.parametrize(
    "detail", ["3号楼2单元301", "5栋1单元502室", "12幢302", "7号楼", "15号楼1单元1101", "2单元301室"]
)
def test_address_details(detail):
    r = redact(f"纺机社区{detail}的居民", kinds="address_detail")
    assert r.text == "纺机社区[门牌1]的居民"  # the community name is kept


@pytest.mark.parametrize(
    "text",
    ["改造涉及9栋楼", "小区共12栋", "5月16号开会", "第3栋", "青石巷17号", "装了自闭阀的1至8栋", "再一栋一栋来，还剩三栋"],
)
def test_not_address_details(text):
    assert redact(text, kinds="address_detail").entities.empty


def test_building_after_month_word():
    assert redact("上个月3号楼有老人发病", kinds="address_detail").text == "上个月[门牌1]有老人发病"


# --------------------------------------------------------------------------- persons: traps
@pytest.mark.parametrize(
    "text",
    [
        "居民对社区工作高度评价，许多人表示满意。",
        "社区开展文明创建，提升幸福感，推进养老服务常态化。",
        "周边环境整治后，黄色警示线拆除了，于是大家向前走。",
        "江边的李子树结果了，社区张贴了通知。",
        "何时开工？陈列室里摆着老照片。",
        "主张建设一个新的活动中心，他主持召开会议。",
        "小区里的小程序很好用，老师们也来了。",
        "马上就到周末了，周一开会。",
        "全体党员参加，和谐社区建设，安全生产月。",
        "社区主任、社区书记、街道主任出席会议。",
        "居民楼下，居民区内，居民代表大会，居民公约。",
        "柳塘街道桂香里社区、云杉郡社区、南岗安置社区。",
        "任何单位和个人不得擅自占用公共空间。",
        "每位同志谈谈不足。",
        "时间：2023年5月1日\n地点：社区会议室\n议题：加装电梯",
        "雷锋志愿服务队成立，学雷锋活动月。",
        "留下的老人和孩子需要有人关心。",
        "社工和网格员每周五下午碰头一次。",
        "，宣传工作要做好。",
        "还当了聊天会的常客。",
        "由区民政局分管负责同志任组长，各街道参加。",
        "谁没应声就上去敲门。\n商定:\n(1)每周巡查一次。",
    ],
)
def test_words_that_look_like_names_are_kept(text):
    r = redact(text, kinds="person")
    assert r.entities.empty, r.entities["original"].tolist()
    assert r.text == text


def _persons(text, **kw):
    return redact(text, kinds="person", **kw).entities["original"].tolist()


def test_role_before_name():
    assert _persons("社区党委书记周海涛介绍了情况。") == ["周海涛"]
    assert _persons("退休教师田永福连续三年获评文明家庭。") == ["田永福"]


def test_verb_after_name():
    assert _persons("张建国说，电梯的事要大家商量。") == ["张建国"]
    assert _persons("据了解，李敏表示同意。") == ["李敏"]


def test_given_name_length_from_right_context():
    assert _persons("居民王秀英介绍，居民李敏表示，居民张伟在会上发言。") == ["王秀英", "李敏", "张伟"]


def test_credit_line():
    assert _persons("（记者 张三 李四 通讯员 王五）3月12日，社区召开会议。") == ["张三", "李四", "王五"]


def test_speaker_lines_and_attendee_list():
    text = (
        "主持人：社区书记江文彬\n"
        "参会人员：刘桂芳（居民代表）、赵德明（楼长）、孙丽娟\n"
        "向东升（物业）：已经安排维修。\n"
        "刘桂芳：建议张贴告示。"
    )
    assert _persons(text) == ["江文彬", "刘桂芳", "赵德明", "孙丽娟", "向东升", "刘桂芳"]


def test_lists_with_titles_and_word_like_names():
    text = "记录：田野（社工）\n参会：社区民警贺警官、朱工、老吕\n钱医生：发热的较多。\n田野负责记录。"
    r = redact(text, kinds="person")
    assert r.entities["original"].tolist() == ["田野", "贺", "朱", "老吕", "钱", "田野"]


def test_short_forms_after_units_in_lists():
    text = ("参会人员：综合执法中队何队；应急办小谢；物业管理站站长老单；供电所蔡工；招商部小顾\n"
            "何队：可以配合。\n唐文静会同老单在北侧空地预留位置。")
    assert _persons(text) == ["何", "小谢", "老单", "蔡", "小顾", "何", "老单"]


def test_name_before_title_and_structure_first():
    assert _persons("社职责清单报街道社工站汤永康站长，6月前完成。") == ["汤永康"]
    text = "参会人员：崔勇、石磊\n崔勇：公司已调整石磊任项目经理，并承诺整改。"
    assert _persons(text) == ["崔勇", "石磊", "崔勇", "石磊"]


def test_enumeration_item_that_starts_like_a_word():
    assert _persons("5｜新桥｜36%｜温倩、凌晨阳\n6｜望山") == ["温倩", "凌晨阳"]


def test_author_line():
    assert _persons("来源：澜江晚报　时间：2023年3月28日　作者：麦冬青\n正文。") == ["麦冬青"]


def test_rare_surname_after_role():
    assert _persons("北岭安置社区党委书记杭志远在发言中说，杭州来的客人到了。") == ["杭志远"]


def test_compound_surname_not_split_from_role():
    assert _persons("合唱团团长孙月娥笑称：“我们团就缺男声。”") == ["孙月娥"]
    assert _persons("发起人之一诸葛悦说，大家先做起来。") == ["诸葛悦"]


def test_compound_surnames():
    assert _persons("欧阳晓峰、司马南和诸葛亮亮出席了会议。") == ["欧阳晓峰", "司马南", "诸葛亮亮"]


def test_nicknames_titles_and_mou():
    r = redact("老张和小李都来了，王书记说李某某也到了。", kinds="person")
    assert r.entities["original"].tolist() == ["老张", "小李", "王", "李某某"]
    assert "书记" in r.text  # the title is kept, only the surname is replaced


def test_enumeration_and_propagation():
    text = "王秀英、李桂兰、张德胜等居民代表参加了会议。会后王秀英留下来。"
    assert _persons(text) == ["王秀英", "李桂兰", "张德胜", "王秀英"]


def test_short_and_honorific_titles_keep_only_the_surname():
    assert _persons("负责设计的郑工说，明天开挖。会上，王总表示愿意出资。") == ["郑", "王"]
    assert _persons("住在六楼的解阿姨很热心，由解阿姨牵头组织。") == ["解", "解"]
    assert _persons("年纪最大的柏老先生今年九十岁。") == ["柏"]
    # 工/总 inside words, prepositions before a title, a surname glued into a word
    assert _persons("工作人员在总结会上提到高工资的问题。") == []
    assert _persons("我们向老师汇报了情况，又和大爷们聊了聊。对于老师来说很难。") == []
    assert _persons("黄书记和邱主任一起走访。") == ["黄", "邱"]
    assert _persons("楼长莫大爷和保洁员凤姐一起清理了楼道。") == ["莫", "凤"]


def test_name_read_by_the_tagger_after_punctuation():
    # no cue word at all, but the tagger reads surname + given name as a name
    assert _persons("为此，冼国华专门跑了三趟区里。") == ["冼国华"]
    assert _persons("晚饭后，桑红霞常带着孙子在楼下散步。") == ["桑红霞"]
    # places built like names are not names
    assert _persons("住在李家庄的居民，刘家湾是好地方，，钱塘江很好。") == []


def test_units_and_new_role_words_before_names():
    assert _persons("街道城管科郑浩然带队检查。") == ["郑浩然"]
    assert _persons("社区卫生服务中心苗雨欣介绍了体检安排。") == ["苗雨欣"]
    assert _persons("讲解员龚思远带大家参观，教练柴志刚说动作要慢。") == ["龚思远", "柴志刚"]
    assert _persons("派出所高度重视，中心周边加强巡逻，物业公司项目经理到场。") == []


def test_structural_cues_gender_kin_full_name_and_mou():
    text = "名单如下：\n2. 谭美玲，女，1941年3月出生\n3. 甘志诚，男，1939年8月出生"
    assert _persons(text) == ["谭美玲", "甘志诚"]
    assert _persons("韦志鹏和妻子一起报了名。") == ["韦志鹏"]
    assert _persons("据了解，邱美玉，65岁，独居。居民房德山（男，72岁）反映了情况。") == ["邱美玉", "房德山"]
    assert _persons("大家都叫他老韩，全名韩启明，今年七十岁。") == ["老韩", "韩启明"]
    assert _persons("其邻居杜某称当晚没有听到声音，司机马某随后赶到。") == ["杜某", "马某"]
    assert _persons("同事们都喊她阿芳。阿芳说，这份工作很有意义。") == ["阿芳", "阿芳"]
    assert _persons("阿姨们都来了，大家叫她阿姨。") == []
    # 小/老 + a word-like surname after a role; not where jieba reads a word
    assert _persons("社工小文说，下周开会。小文章写得好。小文也来了。") == ["小文", "小文"]
    assert _persons("网格员小车来了。") == []


def test_credit_variants_and_units_in_lists():
    assert _persons("（通讯员 伍思思 整理）") == ["伍思思"]
    assert _persons("/文/邵一鸣/\n社区里的故事很多。") == ["邵一鸣"]
    assert _persons("（本版综合整理：庞晓芸）") == ["庞晓芸"]
    assert _persons("出席理事：邹国强（理事长）、葛秀云、满春生") == ["邹国强", "葛秀云", "满春生"]
    text = "参会：社区居委会韩主任、街道城建科庞科长、203室储先生\n参加人员：301室柯文斌、402室缪晓燕"
    assert _persons(text) == ["韩", "庞", "储", "柯文斌", "缪晓燕"]


def test_table_columns_signatures_and_company_words():
    table = "| 事项 | 责任人 | 时限 |\n|---|---|---|\n| 修路灯 | 钱文广、物业 | 5月 |\n| 清杂物 | 网格员 | 6月 |"
    assert _persons(table) == ["钱文广"]
    assert _persons("签名：柯立新") == ["柯立新"]
    assert _persons("顾建军夫妇每天都来帮忙。聂国庆等人提出了反对意见。") == ["顾建军", "聂国庆"]


def test_names_that_are_words_need_two_cues_in_the_document():
    text = "志愿者江南先到了现场。“先把人安顿好。”江南说。"
    assert _persons(text) == ["江南", "江南"]
    assert _persons("志愿者江南先到了现场。") == []  # one cue is not enough
    assert _persons("江南的雨季很长，高峰时段、金秋时节人多。") == []
    # a name found once does not spread into a word that merely contains it
    assert _persons("高楼林立的城市里，林立说他很少见到邻居。") == ["林立"]


def test_function_word_surname_opening_a_sentence():
    text = "天刚亮。和建平说，垃圾分类要坚持。今年，和建平被评为优秀志愿者。"
    assert _persons(text) == ["和建平", "和建平"]


def test_user_names_are_always_redacted():
    # no cue at all: only the names= list can find it
    assert _persons("今天常雅琴来得很早。") == []
    assert _persons("今天常雅琴来得很早。", names=["常雅琴"]) == ["常雅琴"]


def test_names_from_parse_minutes_if_available():
    corpus = pytest.importorskip("civictools.corpus")
    if not hasattr(corpus, "parse_minutes"):
        pytest.skip("parse_minutes not available")
    text = "居民议事会会议纪要\n时间：2023年3月5日\n主持人：王丽\n参会人员：张强、李秀英\n会议决定：通过。"
    m = corpus.parse_minutes(text)
    attendees = getattr(m, "attendees", None)
    if attendees is None:
        pytest.skip("Minutes has no attendees")
    names = attendees["name"].tolist() if isinstance(attendees, pd.DataFrame) else list(attendees)
    assert set(names) == {"张强", "李秀英"}
    r = redact("表决时张强和李秀英都投了赞成票。", kinds="person", names=names)
    assert r.entities["original"].tolist() == ["张强", "李秀英"]


def test_global_jieba_untouched():
    import jieba

    before = (jieba.dt.initialized, len(jieba.dt.FREQ), len(jieba.user_word_tag_tab))
    redact("社区书记张建国说，居民王秀英表示同意。")
    assert (jieba.dt.initialized, len(jieba.dt.FREQ), len(jieba.user_word_tag_tab)) == before


# --------------------------------------------------------------------------- labels, mapping
def test_consistent_pseudonyms_within_text():
    r = redact("居民王秀英说，张建国也说，王秀英又说。", kinds="person")
    labels = dict(zip(r.entities["original"], r.entities["replacement"]))
    assert labels == {"王秀英": "居民A", "张建国": "居民B"}
    assert r.text == "居民居民A说，居民B也说，居民A又说。"


def test_mapping_carries_over_and_is_not_mutated():
    first = redact("居民王秀英说。", kinds=("person", "phone"))
    before = dict(first.mapping)
    second = redact("张建国和王秀英拨打13900001234。", mapping=first.mapping, kinds=("person", "phone"))
    assert first.mapping == before
    assert second.mapping["王秀英"] == "居民A"
    assert second.mapping["张建国"] == "居民B"
    assert second.mapping["13900001234"] == "[电话1]"
    third = redact("电话13900005678", mapping=second.mapping, kinds="phone")
    assert third.text == "电话[电话2]"


def test_names_in_mapping_are_found_again_but_not_bare_surnames():
    first = redact("居民王秀英说，王书记同意。", kinds="person")
    assert first.mapping == {"王秀英": "居民A", "王": "居民B"}
    again = redact("王秀英来了，王府井很热闹。", kinds="person", mapping=first.mapping)
    assert again.text == "居民A来了，王府井很热闹。"


def test_labels_after_z():
    mapping = {f"名{i}": f"居民{chr(65 + i)}" for i in range(26)}
    r = redact("居民王秀英说，居民张建国说。", mapping=mapping, kinds="person")
    assert r.entities["replacement"].tolist() == ["居民AA", "居民AB"]


def test_keep_mapping_false_discards_originals():
    r = redact("居民王秀英说。", keep_mapping=False)
    assert r.mapping is None
    assert r.entities["original"].isna().all()
    assert r.text == "居民居民A说。"


def test_bad_mapping_is_rejected():
    with pytest.raises(TextError, match="mapping"):
        redact("居民王秀英说。", mapping={"王秀英": 1})


# --------------------------------------------------------------------------- offsets, kinds, results
def test_offsets_into_original_and_redacted_text():
    text = "（记者 林晓燕）家住5栋1单元502室的许凤英老人说，电话139 0000 2468，邮箱a@example.org，车牌青A·5K382。"
    r = redact(text)
    assert r.entities["kind"].tolist() == ["person", "address_detail", "person", "phone", "email", "plate"]
    for row in r.entities.itertuples():
        assert text[row.start : row.end] == row.original
        assert r.text[row.redacted_start : row.redacted_end] == row.replacement
    # rebuilding the redacted text from the spans gives .text
    out, pos = [], 0
    for row in r.entities.itertuples():
        out += [text[pos : row.start], row.replacement]
        pos = row.end
    assert "".join(out) + text[pos:] == r.text


def test_kinds_subset_and_errors():
    text = "居民王秀英电话13900001234"
    assert redact(text, kinds=["phone"]).text == "居民王秀英电话[电话1]"
    with pytest.raises(TextError, match="unknown redaction kind"):
        redact(text, kinds=["name"])
    with pytest.raises(TextError, match="needs a str"):
        redact(None)  # type: ignore[arg-type]


def test_result_object():
    r = redact("居民王秀英说，电话13900001234。")
    assert isinstance(r, Redaction)
    assert list(r.tidy().columns)[:5] == ["kind", "original", "replacement", "start", "end"]
    s = r.summary().as_text()
    assert "person" in s and "phone" in s
    html = r._repr_html_()
    assert "<mark" in html and "王秀英" not in html and "13900001234" not in html
    assert repr(r) == repr(redact("居民王秀英说，电话13900001234。"))


def test_empty_text():
    r = redact("")
    assert r.text == "" and r.entities.empty and list(r.entities.columns)[:5] == list(
        ["kind", "original", "replacement", "start", "end"]
    )


# --------------------------------------------------------------------------- corpus
def test_corpus_is_consistent_across_documents():
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "text": ["居民王秀英说要加装电梯。", "王秀英又来了，网格员李强表示会跟进。", None],
        }
    )
    res = redact_corpus(docs)
    assert isinstance(res, CorpusRedaction)
    assert res.documents["text"].tolist()[:2] == ["居民居民A说要加装电梯。", "居民A又来了，网格员居民B表示会跟进。"]
    assert res.documents["text"].isna().tolist() == [False, False, True]
    assert res.n_missing_text == 1
    assert res.entities["doc_id"].tolist() == ["a", "b", "b"]
    assert docs["text"].iloc[0] == "居民王秀英说要加装电梯。"  # input untouched
    documents, entities = res
    assert documents is res.documents and entities is res.entities
    assert "missing text" in res.summary().as_text()
    assert "王秀英" not in res._repr_html_()


def test_corpus_does_not_spread_nicknames_or_word_like_names():
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": [
                "记录：小范\n小范说，下周再议。志愿者江南先到了现场。“先把人安顿好。”江南说。",
                "社区开了小范围座谈，江南的雨季很长。",
            ],
        }
    )
    ents = redact_corpus(docs, progress=False).entities
    assert ents[ents["doc_id"] == "a"]["original"].tolist() == ["小范", "小范", "江南", "江南"]
    assert ents[ents["doc_id"] == "b"].empty


def test_corpus_without_propagation():
    docs = pd.DataFrame({"doc_id": [1, 2], "text": ["居民王秀英说。", "王秀英来了。"]})
    assert redact_corpus(docs, propagate=False).documents["text"].tolist() == ["居民居民A说。", "王秀英来了。"]


def test_corpus_matches_single_redact_labels_and_mapping():
    docs = pd.DataFrame({"doc_id": ["x"], "text": ["居民王秀英说，电话13900001234。"]})
    res = redact_corpus(docs, mapping={"张建国": "居民A"})
    assert res.mapping == {"张建国": "居民A", "王秀英": "居民B", "13900001234": "[电话1]"}


def test_corpus_bad_input():
    with pytest.raises(TextError, match="column 'body' not found"):
        redact_corpus(pd.DataFrame({"text": ["a"]}), text_col="body")
    with pytest.raises(TextError, match="row 1"):
        redact_corpus(pd.DataFrame({"doc_id": ["a", "b"], "text": ["居民王秀英说", 3]}))
    with pytest.raises(TextError, match="DataFrame"):
        redact_corpus(["居民王秀英说"])  # type: ignore[arg-type]


def test_corpus_uses_index_without_id_column():
    res = redact_corpus(pd.DataFrame({"text": ["居民王秀英说。"]}, index=[7]))
    assert res.entities["doc_id"].tolist() == [7]


def test_engines():
    text = "社区书记张建国说，居民练淑华很感激。"
    assert redact(text, engine="jieba").text == "社区书记居民A说，居民居民B很感激。"
    pytest.importorskip("rjieba")
    assert redact(text, engine="rjieba").text == redact(text, engine="jieba").text
    with pytest.raises(TextError, match="unknown engine"):
        redact(text, engine="hanlp")


def test_redact_kinds_constant():
    assert REDACT_KINDS == ("person", "phone", "id_card", "email", "address_detail", "plate")


# --- person rules, round 2 (own sentences; none of these names is in any list) -----------
def _persons_r2(text: str, engine: str) -> list[str]:
    if engine == "rjieba":
        pytest.importorskip("rjieba")
    res = redact(text, engine=engine)
    return [o for k, o in zip(res.entities["kind"], res.entities["original"]) if k == "person"]


_ENGINES_R2 = ["jieba", "rjieba"]


@pytest.mark.parametrize("engine", _ENGINES_R2)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a role word and a one-character verb jieba cuts off: the name stops before the verb
        ("下午，社区民警慕容锋打来电话说车已找到。", ["慕容锋"]),
        # a procedure party ending in 人 plus a gender cue
        ("申请人饶建平，男，1975年生，家住青禾区。", ["饶建平"]),
        # a committee before a name, then a contact channel
        ("有疑问可找社区居委会范文静，电话0000-1234567。", ["范文静"]),
        # 少 in a given name after a role
        ("社工莫少华介绍，本期共有九户报名。", ["莫少华"]),
        # a contact channel after the name is a cue of its own
        ("报名请联系贝佳（电话139 0000 1234）。", ["贝佳"]),
        # a surname and a title after a verb
        ("大家都同意乐先生的提议。", ["乐"]),
        # given-name length where jieba cuts badly: 蒋长/福边, 柏秀兰住, 郝建/打
        ("“这事不急。”79岁的蒋长福边走边讲。", ["蒋长福"]),
        ("他和老伴柏秀兰住在3栋。", ["柏秀兰"]),
        ("当晚，社区民警郝建打了电话。", ["郝建"]),
        # jieba tags 杨晨 as a name and reads 阳刚 as one word
        ("搬来不久的杨晨阳刚满三十岁。", ["杨晨阳"]),
        # a word-like surname cut off on its own, the given name alone a name, a speech verb
        ("在这条街开了二十年店的农春华说，生意还行。", ["农春华"]),
        # 人 glued by jieba to the surname (投诉/人钟), and a word-like surname after a 人-role
        ("投诉人钟立伟，女，1968年出生，反映楼上漏水。", ["钟立伟"]),
        ("被申请人文海波，男，现住青禾区。", ["文海波"]),
        # a one-character adverb jieba cuts off after a role and a name
        ("网格员李强常来帮忙。", ["李强"]),
        # a noun-like given name glued by jieba to what follows ("包国/平住/在")
        ("她和丈夫包国平住在5号楼。", ["包国平"]),
        ("72岁的屠长根边修雨棚边说，这活他干了一辈子。", ["屠长根"]),
        ("她的妻子余慧拨打了社区电话。", ["余慧"]),
    ],
)
def test_person_round2_cues(text, expected, engine):
    assert _persons_r2(text, engine) == expected


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_group_head_and_bracketed_units(engine):
    text = (
        "评议小组成员：孔丽萍、刘向东、尤秀云。\n"
        "调解员有梁小红（东坝社区）、尚红梅（西坝社区）、席丹丹（南坝社区）等。\n"
        "刘向东：情况属实。"
    )
    got = _persons_r2(text, engine)
    for name in ("孔丽萍", "尤秀云", "梁小红", "尚红梅", "席丹丹"):
        assert name in got
    assert got.count("刘向东") == 2


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_unit_in_attendee_list_any_surname(engine):
    text = "参会人员：街道环卫所路长青，业委会蒙慧，楼栋长代表孟凡林。\n会上，路长青通报了检查情况。"
    got = _persons_r2(text, engine)
    assert got.count("路长青") == 2 and "蒙慧" in got and "孟凡林" in got


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_credit_line_given_name_like_a_word(engine):
    assert "邢路" in _persons_r2("楼道里的灯又亮了。\n（通讯员 邢路）", engine)


@pytest.mark.parametrize("engine", _ENGINES_R2)
@pytest.mark.parametrize(
    "text",
    [
        "“追”回老人两万元养老钱\n本报讯 昨天上午，银行柜台前……",  # 老钱 ends 养老
        "借用物品需登记姓名和联系电话。",  # 和 + 联系 is no name
        "所有人都知道这件事。",  # 所有人 is no role
        "工作人员和监督电话应当公示。",
        "年轻人包粽子，老人们在一旁指点。",
        "居民把饭盒里的汤汁倒进桶里。",  # a name tag after 的 before a verb is not enough
    ],
)
def test_person_round2_no_false_names(text, engine):
    assert _persons_r2(text, engine) == []


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_unit_glued_into_the_name_token(engine):
    # jieba reads 科晏平 as one name token; the unit's last character is not part of the name
    got = _persons_r2("工作专班人员：街道城建科晏平，区住建局卞立新。", engine)
    assert "晏平" in got and "卞立新" in got


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_contract_party_glued_to_surname(engine):
    # 运营/方伍/经理: 方 closes the party (运营方), 伍 is the surname before a title
    assert _persons_r2("这件事请冀书记和运营方伍经理再谈一次。", engine) == ["冀", "伍"]
    # after a plain noun 方 stays the surname
    assert _persons_r2("互助群负责人方桂英；志愿者队长钱明。", engine)[0] == "方桂英"


@pytest.mark.parametrize("engine", _ENGINES_R2)
def test_person_unit_character_cut_off_before_word_like_surname(engine):
    text = "列席：街道城管科习文涛，物业公司饶明。\n二、习文涛表示，下月动工。"
    got = _persons_r2(text, engine)
    assert got.count("习文涛") == 2 and "饶明" in got
