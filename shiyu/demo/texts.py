"""Chinese text generator for demo 12345 hotline tickets.

Plain Python (no Django) so that the demo-data command can produce a million
tickets quickly.  Everything is driven by a ``random.Random(seed)`` instance:
the same taxonomy, seed and sequence of calls yield the same texts.

The texts imitate what residents say to a city's 12345 hotline: first person,
a concrete place, a time expression, the problem in the words of the
taxonomy leaf (its name and keywords), and what they want done.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

REQUEST_TYPES = ("enquiry", "help", "complaint", "report", "suggestion", "praise")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")

TITLE_MAX = 40
DESCRIPTION_MIN = 40
DESCRIPTION_MAX = 400
REPLY_MIN = 50
REPLY_MAX = 300

SUBDISTRICT = "subdistrict"
_DEPARTMENTS_FILE = Path(__file__).resolve().parent.parent / "org" / "data" / "departments.json"

# Problem clauses per leaf name: each reads naturally after a time expression ("从上周开始，…").
_DETAILS: dict[str, tuple[str, ...]] = {
    "路灯不亮": ("小区门口那一排路灯晚上全都不亮，黑灯瞎火的", "路边好几盏路灯坏了一直没人修，晚上走路什么都看不见", "路灯时亮时不亮，有一段路晚上很黑"),
    "井盖缺失破损": ("路边有个井盖不见了，露出一个黑乎乎的大洞", "人行道上的窨井盖破损松动，踩上去会翻", "有个井盖碎了一半，旁边已经开始塌陷"),
    "道路破损坑洼": ("路面坑坑洼洼，有好几个大坑，下雨后全是积水", "路面开裂沉降，电动车经过很容易摔倒", "路中间有一个很深的坑，车辆经过都得急刹"),
    "违法建设": ("有人在楼下空地上私搭乱建，搭了一间砖房", "一楼住户占用公共区域违法建设，围墙越砌越高", "旁边有人偷偷加盖房屋，晚上还在施工"),
    "擅自拆改承重墙": ("楼上住户装修时把承重墙砸掉了，我家墙上已经出现裂缝", "有户人家装修拆改承重墙，整栋楼都在震，大家担心房屋安全"),
    "占道经营": ("路边流动摊贩占道经营，把人行道堵得水泄不通", "沿街商户出店经营，货物摆到了路中间", "每天晚上都有小贩在路口摆摊，形成了一个夜市"),
    "垃圾清运不及时": ("垃圾桶已经满溢好几天了没人收，臭味很大", "垃圾没有及时清运，堆在路边招了很多苍蝇", "垃圾站的垃圾堆成了山，清运车好几天没来了"),
    "乱张贴小广告": ("楼道和电线杆上贴满了办证小广告，刚清理完又贴上", "墙上被人喷涂了很多电话号码，到处都是牛皮癣"),
    "户外广告牌安全隐患": ("一家店铺的广告牌已经松动，风一吹就晃，随时可能坠落", "楼顶的大招牌有一半脱落了，下面就是人行道"),
    "垃圾分类": ("垃圾分类投放点的厨余垃圾和其他垃圾被混装混运", "垃圾桶没有分类标识，大家都不知道该怎么分类投放"),
    "房屋质量问题": ("新买的房子墙体开裂，卫生间还往楼下渗水，开发商一直拖着不修", "交房不到两年，外墙空鼓脱落，屋里多处渗水"),
    "既有住宅加装电梯": ("我们楼想加装电梯，高层住户都签字了，但低层住户一直不同意", "加装电梯的申请递上去好几个月了，审批一直没有消息"),
    "住房租赁纠纷": ("退租的时候房东以各种理由扣押金，一分钱都不退", "通过中介租的房子，二房东跑路了，房东要赶我们走"),
    "住房公积金": ("单位没有按规定给我缴存公积金", "申请提取公积金被退回了好几次，说材料不全"),
    "建筑工地安全隐患": ("工地的脚手架没有安全网，上面经常掉东西下来", "工地塔吊就在居民楼上方转来转去，高空坠物很危险"),
    "物业纠纷": ("物业公司什么都不管，业主和物业的矛盾越来越大", "物业不作为，小区的问题反映了无数次都没有解决", "物业公司要撤场，小区现在没人管了"),
    "物业收费争议": ("物业突然通知物业费要涨价，也没有开业主大会", "物业在物业费之外又收电梯费、公摊费，收费项目不清不楚"),
    "小区环境": ("小区环境脏乱差，绿地里堆满了杂物和建筑垃圾", "小区卫生没人打扫，楼道里全是小广告和垃圾"),
    "老旧小区改造": ("我们小区在搞老旧小区改造，施工拖拖拉拉，进度很慢", "老旧小区改造把路面挖开以后一直没恢复，出门都很困难"),
    "噪音扰民": ("楼上每天半夜都有很大的噪音，吵得根本睡不着", "隔壁一到晚上就唱歌喝酒，声音很大，严重扰民", "楼下商铺每天很晚都有噪音，影响休息"),
    "夜间施工噪音": ("旁边工地每天夜间施工到凌晨，机器轰鸣声不断", "工地晚上十点以后还在打桩，施工噪音特别大"),
    "广场舞噪音": ("每天晚上都有人在楼下跳广场舞，音响开得特别大", "广场舞的音乐声一直放到十点多，家里孩子没法写作业"),
    "餐饮油烟": ("楼下饭店的排烟口正对着我家窗户，油烟呛得没法开窗", "一家餐馆没有安装油烟净化器，油烟直接排到居民楼里"),
    "工地扬尘": ("旁边工地渣土没有苫盖，一刮风尘土满天飞", "工地车辆进出不冲洗，路上全是泥土，扬尘很严重"),
    "露天焚烧": ("有人在空地上露天焚烧垃圾，浓烟很大，气味刺鼻", "附近经常有人烧落叶和秸秆，烟味飘进屋里"),
    "工业废气排放": ("附近一家工厂的烟囱经常冒黑烟，还有刺鼻的气味", "工厂晚上偷偷排放废气，空气里有一股怪味"),
    "企业偷排污水": ("有家企业通过暗管往河里偷排污水，水都变色了", "厂区旁边的排污口一直往外直排废水，味道很大"),
    "河道污染": ("河道里的水发黑发臭，上面全是漂浮物", "河里出现了很多死鱼，河水颜色也不对"),
    "危险废物处置": ("有人把废机油等危险废物乱倒在空地上", "附近一家修理厂的化学品桶随意堆放在露天"),
    "通信基站辐射": ("楼顶新装了一个基站天线，担心辐射对身体有影响", "小区里突然建了一个信号塔，离住宅楼很近"),
    "出租车拒载": ("我在路边打车，一辆出租车问了目的地以后嫌近拒载", "出租车司机挑客，说不顺路直接拒载"),
    "出租车绕路多收费": ("坐出租车时司机故意绕路，车费比平时多了一倍", "出租车司机不打表，下车时随口要价多收费"),
    "网约车服务": ("网约车司机中途要求加价，不同意就让我下车", "在平台上叫了网约车，司机接单后迟迟不来还让我取消订单"),
    "非法营运黑车": ("车站门口有很多黑车在拉客揽客，价格很高", "一些无证车辆长期在路口非法营运，还有宰客现象"),
    "公交车不按站停靠": ("公交车过站不停，我在站台招手也不停靠", "有几趟公交车经常甩站，在站台等了半小时都没上去车"),
    "公交司机服务态度": ("公交车司机态度很差，老人上车慢一点就骂人", "公交司机开车急刹车，车上好几个乘客差点摔倒"),
    "公交线路调整": ("公交线路调整以后，我们这边到市中心没有直达的车了", "附近新建了好几个小区，但一直没有公交线路和站点"),
    "违章停车": ("路边经常有车辆违停，把路堵得只剩一条道", "有辆车长期占道停车，堵住了我家门口"),
    "交通信号灯故障": ("路口的红绿灯坏了，车辆和行人乱成一团", "信号灯一直是红灯不变，路口堵了很长"),
    "交通拥堵": ("早晚高峰这个路口堵车特别严重，通行很慢", "路口没有交警疏导，每天都拥堵"),
    "驾驶证业务": ("去车管所办驾驶证换证，排了一上午的队都没办上", "驾照补办的时候被告知要跑好几个窗口"),
    "共享单车乱停放": ("地铁口共享单车乱停乱放，把人行道全堵死了", "路边堆放了几百辆共享单车和电单车，行人只能走到马路上"),
    "停车收费争议": ("停车场收费不按标准计费，停了一会儿就收了很多钱", "路边停车的收费员没有票据，乱收停车费"),
    "拖欠工资": ("公司已经拖欠我们三个月工资了，老板一直说没钱", "离职以后公司一直不发工资，打电话也不接"),
    "拖欠农民工工资": ("我们在工地干了大半年，包工头一直拖欠工钱", "工程完工了，我们二十几个农民工的工资还没结"),
    "未签订劳动合同": ("入职半年了公司一直没跟我签劳动合同", "公司以试用期为由不签劳动合同，也不交社保"),
    "违法解除劳动合同": ("公司无缘无故把我辞退了，也不给赔偿金", "公司以裁员为名解除合同，不按规定支付补偿"),
    "劳动仲裁": ("我申请了劳动仲裁，但一直没有立案", "仲裁委受理以后迟迟没有开庭"),
    "社保缴费咨询": ("单位一直没有给我交社保，现在断缴了好几个月", "灵活就业人员社保缴费基数突然调高了，不知道怎么回事"),
    "养老金领取": ("我已经到了退休年龄，但退休手续一直办不下来", "这个月的养老金没有按时到账"),
    "工伤认定": ("我在工作中受伤了，公司不配合做工伤认定", "工伤认定申请交上去很久了，一直没有结果"),
    "就业服务咨询": ("失业好几个月了一直找不到工作", "去参加招聘会，很多岗位信息都是过时的"),
    "职业技能培训": ("参加了职业技能培训，但培训补贴一直没发下来", "报名了技能培训，结果培训机构不按时上课"),
    "人才引进政策": ("按人才引进政策申请的人才补贴一直没有发放", "毕业生落户的材料交了好几次都没有办下来"),
    "学位咨询": ("孩子今年该上小学了，但学区划片的学校说没有学位", "报名入学的时候被告知材料不全，孩子还没地方上学"),
    "幼儿园入园": ("附近的普惠幼儿园名额太少，孩子报不上名", "孩子入园报名以后一直没有消息"),
    "学校乱收费": ("学校要求每个学生交几百块资料费，也不开收据", "老师让家长交补课费，说是自愿但其实不交不行"),
    "校外培训机构": ("孩子报的培训机构突然关门了，剩下的课时费退不了", "课外班老板跑路了，几十个家长的预付课时费都没了"),
    "校园周边安全": ("学校门口上学放学的时候车辆乱停，孩子过马路很危险", "校门口经常有闲杂人员聚集，接送孩子的家长很担心"),
    "教师师德师风": ("孩子班上的老师经常辱骂学生，还有体罚的情况", "有老师在外面搞有偿补课，暗示学生必须参加"),
    "公共体育设施损坏": ("小区旁边的健身器材坏了好久，有的已经断裂", "篮球场的篮筐和地面都损坏了，没法使用"),
    "公共文化场馆服务": ("图书馆的开放时间跟上班时间重合，下班以后根本去不了", "博物馆预约系统经常约不上，现场又不让进"),
    "医院服务态度": ("去医院看病，护士态度很冷漠，问一句话就不耐烦", "医生看病很敷衍，还互相推诿"),
    "看病挂号难": ("专家号一放出来就被抢光，根本挂不上号", "医院排队挂号要排一两个小时，预约系统也经常出问题"),
    "医疗纠纷": ("家里老人在医院做完手术后出现了严重并发症，怀疑是医疗事故", "孩子在医院被误诊，耽误了治疗，医院不肯给个说法"),
    "非法行医": ("附近有一家黑诊所，没有任何资质还在给人打针输液", "有游医在路边摆摊看病卖药"),
    "疫苗接种咨询": ("社区卫生服务中心的疫苗经常缺货，孩子的接种一直往后拖", "去打疫苗的时候被告知预约已满"),
    "病媒生物防制": ("小区里老鼠特别多，白天都能看见在绿化带里跑", "楼道和垃圾站蟑螂蚊子很多，一直没有人来消杀"),
    "医保报销": ("住院费用医保报销的比例比预想的低很多", "门诊费用一直报销不了，说是不在报销范围"),
    "异地就医备案": ("我在外地住院，异地就医备案办不了，没法直接结算", "跨省就医回来报销的时候说我没有备案"),
    "医保参保缴费": ("新生儿参加城乡居民医保，不知道在哪里缴费", "医保断缴了几个月，现在补缴不了"),
    "医保卡盗刷": ("我的医保卡被人盗刷了，账户里的钱少了很多", "附近有家药店用医保卡套刷生活用品"),
    "生育登记": ("想办理生育登记，但网上系统一直提交不成功", "去医院建档被要求先办生育登记，不知道去哪办"),
    "食品安全": ("在一家饭店吃饭以后全家都拉肚子，怀疑食物变质", "在超市买的食品里吃出了异物", "外卖送来的饭菜有异味，吃了以后肚子疼"),
    "过期食品": ("在超市买到了过期食品，生产日期都是一年前的", "小卖部在卖已经过了保质期的饮料和零食"),
    "无证餐饮": ("附近有一家小作坊没有营业执照，卫生条件很差", "有个黑作坊在居民楼里做熟食往外卖"),
    "药品质量": ("在药店买的药吃了没有效果，怀疑是假药", "药店不要处方就随便卖处方药"),
    "预付卡退费难": ("办了健身房的会员卡，没用几次健身房就跑路了", "理发店的预付卡里还有几千块钱，现在关门不退费"),
    "商品质量问题": ("买的家电用了不到一个月就坏了，商家不给退货也不给换货", "新买的东西有质量问题，售后一直推脱不给维修"),
    "价格欺诈": ("商家没有明码标价，结账时价格比说好的高很多", "店里标价和实际收费不一样，明显是价格欺诈"),
    "网购纠纷": ("在网上买的东西到了以后发现是假货，商家拒绝退款", "看直播带货买的商品和宣传完全不一样，平台也不处理"),
    "电梯故障": ("我们楼的电梯经常出故障，这个星期已经停运三次了", "电梯运行的时候有很大的异响，维保人员来看过也没修好"),
    "电梯困人": ("电梯突然停在两层中间，里面有人被困", "电梯卡住了，门打不开，里面困了人"),
    "农贸市场管理": ("菜市场的卫生环境很差，地面全是污水", "农贸市场的摊位乱摆乱放，过道都被占了"),
    "家政服务纠纷": ("通过家政公司请的保姆服务很差，家政公司不肯退中介费", "请的月嫂不专业，跟家政公司协商退费没有结果"),
    "旅行社纠纷": ("报了旅行社的旅游团，行程和合同约定的完全不一样", "旅行社临时取消行程，退团时扣了很多钱"),
    "景区服务": ("景区门票价格和网上公布的不一样，排队也没人管理", "景区里的设施很陈旧，游客反映的问题也没人处理"),
    "治安隐患": ("附近经常有可疑人员在晚上翻看停在路边的车", "小区最近连续发生了几起偷盗，监控也坏了"),
    "黄赌毒举报": ("附近一家棋牌室经常有人聚赌，赌注很大", "某栋楼里有一户人家进出人员很杂，怀疑有涉黄活动"),
    "电信网络诈骗": ("我刚刚接到一个冒充客服的电话，按对方要求转账了", "家里老人被人拉去做刷单，已经被骗了好几万"),
    "户籍办理": ("想给孩子办随迁落户，去了派出所好几次都没办成", "户口迁移手续很繁琐，跑了好几个部门"),
    "身份证办理": ("身份证丢了，补办的时候被告知要回户籍地", "身份证换领以后很久都没有拿到新证"),
    "消防通道堵塞": ("小区的消防通道被车辆长期占用，完全堵塞了", "楼后的消防通道上堆满了杂物和废品"),
    "消防设施损坏": ("楼道里的灭火器已经过期好几年了", "消防栓被人损坏了，烟感也不工作"),
    "电动车违规充电": ("有人在楼道里飞线充电，电线从窗户上拉下来", "好几户人家把电动车推进楼道充电，电瓶放得到处都是"),
    "楼道杂物堆放": ("楼道里堆满了纸箱和旧家具，只剩一个人能过的地方", "邻居在楼道里长期堆放杂物，还养了花草"),
    "企业安全生产隐患": ("附近有家工厂工人违规操作，没有任何防护措施", "一家小厂的安全生产隐患很多，经常闻到焦糊味"),
    "危险化学品隐患": ("有个仓库里储存了大量化学品，就在居民区旁边", "一家店铺违规储存危化品，门口还能闻到泄漏的味道"),
    "宠物扰民": ("邻居家养的狗整天叫，半夜也叫个不停", "楼上养了好几只猫和狗，又吵又臭"),
    "违规养犬": ("有人遛狗不拴绳，大型犬到处跑，孩子都不敢下楼", "小区里有人养烈性犬，狗粪也不清理"),
    "低保申请": ("家里生活很困难，申请低保好几次都没批下来", "低保申请交上去以后社区一直没有答复"),
    "临时救助": ("家里突然出了变故，生活陷入困难，急需临时救助", "家人得了重病，医药费花光了积蓄，生活很困难"),
    "流浪乞讨人员救助": ("路边有一位老人露宿街头，天气很冷，看着很可怜", "桥洞下面有一个流浪人员，好像身体不太好"),
    "养老机构服务": ("家里老人住的养老院护理不到位，老人身上长了褥疮", "养老院突然涨价，收费项目也不清楚"),
    "社区服务": ("去社区开证明，工作人员让我来回跑了好几趟", "社区服务中心的开放时间和公示的不一样，去了好几次都关门"),
    "邻里纠纷": ("和邻居因为一些小事发生纠纷，矛盾越来越大", "邻居在公共区域装了摄像头正对我家门，沟通了好几次都吵架了"),
    "楼上漏水": ("楼上卫生间漏水，我家天花板已经渗水发霉", "楼上漏水把我家墙面都泡坏了，楼上住户一直不配合维修"),
    "婚姻登记": ("婚姻登记处网上预约一直约不上", "办理结婚登记的时候被告知材料不齐，白跑一趟"),
    "殡葬服务": ("殡仪馆的收费项目很多，很多都是强制消费", "家里老人去世了，殡葬服务的费用比公示的高很多"),
    "残疾证办理": ("家里孩子申请办理残疾证，评残鉴定一直排不上", "残疾证到期换证，跑了几次都没有办好"),
    "残疾人补贴": ("残疾人两项补贴这几个月都没有发放", "申请了护理补贴，一直没有审批下来"),
    "无障碍设施": ("人行道上的盲道被车辆和摊位占用了", "新建的公共场所没有无障碍坡道，坐轮椅根本进不去"),
    "退役军人优抚待遇": ("我是退役军人，优抚补助这几个月都没有发放", "办理退役军人优待证以后，很多优待都享受不到"),
    "退役安置": ("退役以后安置工作一直没有落实", "转业安置的政策执行和宣传的不一致"),
    "假劣农资": ("在农资店买的种子出苗率很低，怀疑是假冒种子", "用了买来的化肥和农药以后庄稼大面积减产"),
    "动物疫病防控": ("村里有人把病死猪随意丢弃在路边", "附近养殖场的畜禽最近死了很多，担心有疫病"),
    "农业补贴": ("今年的种粮补贴一直没有发放到位", "买了农机以后申请农机补贴被拒绝了"),
    "土地承包纠纷": ("村里把我家的承包地流转给别人，也没有征求我的意见", "土地流转以后承包方一直不给租金"),
    "宅基地问题": ("想在自家宅基地上翻建房屋，审批一直办不下来", "邻居建房占了我家的宅基地"),
    "农村人居环境": ("村里的垃圾没人清理，污水到处流", "村里的公共厕所建好以后一直锁着不开"),
    "树木修剪": ("楼前的大树长得太高了，树枝遮挡了窗户，家里采光很差", "路边的树枝伸到了电线上，一直没人修剪"),
    "绿地毁坏": ("有人在绿化带里砍树，还把草坪踩得全是路", "小区外的公共绿地被人毁绿种菜"),
    "树木倒伏": ("路边有一棵大树倒了，压在了停着的车上", "刮大风以后有大树倒伏，断枝挡住了整条路"),
    "公园管理": ("公园里的设施很多都坏了，开放时间也随意调整", "公园里有人骑电动车横冲直撞，管理人员也不管"),
    "停水": ("家里突然停水了，事先也没有接到任何通知", "整栋楼都没水了，到现在还没来水", "已经断水一整天了，家里老人孩子吃饭都成问题"),
    "水压低": ("家里水压特别低，高层住户的水龙头只有一点点水", "一到用水高峰水流就很小，热水器都打不着火"),
    "水质问题": ("家里自来水发黄浑浊，放了很久都不清", "自来水有一股异味，烧开以后水垢特别多"),
    "供水管道漏水": ("路边的供水管道爆管了，水一直往外冒", "地下水管破裂，路面上冒水冒了好几个小时"),
    "停电": ("家里突然停电了，也没有接到停电通知", "整个小区都断电了，到现在还没来电", "这几天经常停电，冰箱里的东西都坏了"),
    "电压不稳": ("家里电压不稳，灯忽明忽暗，家电都不敢用", "晚上用电高峰的时候电压很低，空调都启动不了"),
    "电力线路安全隐患": ("路边的电线裸露在外面，下雨天还冒火花", "电线杆已经倾斜，上面的电线老化严重"),
    "燃气泄漏隐患": ("楼道里有一股很浓的燃气味，怀疑有燃气泄漏", "家里闻到煤气味，检查了灶具没发现问题，担心管道漏气"),
    "燃气开通报装": ("新房交房好几个月了，燃气一直没有开通", "燃气报装申请交了很久，到现在还没上门安装燃气表"),
    "燃气费用": ("这个月的燃气费比平时高出很多，不知道怎么算的", "燃气卡表充值以后一直不到账"),
    "小区供暖不热": ("家里暖气一点都不热，室温只有十几度", "今年供暖以后暖气一直是温的，家里老人孩子都冻感冒了"),
    "供暖中断": ("家里暖气突然停了，屋里越来越冷", "整栋楼的供暖中断了，一直没有人来修"),
    "暖气漏水": ("家里暖气片突然漏水，地板都泡了", "暖气阀门坏了一直跑水，关不上"),
    "道路积水": ("一下雨这段路就积水，水深能没过膝盖", "路口内涝严重，好几辆车被淹在水里"),
    "下水道堵塞": ("家里下水道堵塞，污水从地漏里返上来", "楼里的下水管道堵了，一楼住户家里返水"),
    "污水外溢": ("路边的化粪池往外冒污水，臭得不行", "污水井外溢，污水流得满地都是"),
    "通信信号差": ("家里手机信号很差，经常打不通电话", "小区里几乎没有信号，5G更是连不上"),
    "宽带网络故障": ("家里宽带断网好几天了，报修以后一直没人来", "宽带网速特别慢，光猫经常掉线"),
    "通信资费争议": ("手机话费被莫名其妙地扣费，说是订了增值业务", "运营商擅自更改了我的套餐，资费比原来高了"),
    "政策咨询": ("打了好几个电话咨询相关政策，每个部门的说法都不一样", "网上查到的政策文件和窗口的解释不一致"),
    "政府信息公开": ("提交了政府信息公开申请，过了期限也没有答复", "想查的公示文件在官网上一直找不到"),
    "窗口服务态度": ("去服务大厅办事，窗口工作人员态度很不耐烦", "窗口工作人员上班时间玩手机，让我们在外面干等"),
    "办事难办事慢": ("办一个证明跑了好几次，每次都说材料不全", "办事流程太繁琐，一件事拖了一个多月还没办完"),
    "网上办事平台故障": ("网上办事的APP一直登录不上，事情办不了", "在小程序上提交材料的时候系统一直报错"),
    "个人所得税咨询": ("个税汇算的时候专项附加扣除填不进去", "个人所得税退税申请提交后一直没有到账"),
    "发票开具": ("在一家饭店消费后要求开发票，商家拒开", "商家说开发票要额外加税点"),
    "企业开办": ("想注册一个个体户，营业执照办了好几次都没办下来", "企业开办的时候被要求提供很多不必要的材料"),
    "惠企政策兑现": ("企业符合条件的补贴申请了很久，一直没有兑现", "之前承诺的扶持资金到现在还没有到位"),
    "不动产登记": ("买的房子交房多年了，房产证一直办不下来", "办理不动产登记的时候被告知开发商手续不全"),
    "规划建设公示": ("小区旁边要建一个新项目，规划公示的时间很短", "新建楼盘离我们小区太近，担心影响日照"),
    "征地拆迁补偿": ("我家被征收了，拆迁补偿标准比周边低很多", "拆迁安置房一直没有交付，过渡费也停发了"),
    "表扬感谢": ("家门口的问题困扰了我们很久", "家里遇到了一件急事，自己怎么也解决不了"),
    "城市发展建议": ("城市发展很快，但一些配套设施没有跟上", "周边新建了很多小区，但公共服务跟不上"),
    "其他诉求": ("遇到了一个问题，不知道该找哪个部门解决", "有件事一直没有解决，找了好几个地方都说不归他们管"),
}

# Questions for enquiry tickets (without the trailing question mark).
_QUESTIONS: dict[str, tuple[str, ...]] = {
    "垃圾分类": ("大件垃圾和装修垃圾应该怎么分类投放", "厨余垃圾的投放时间是怎么规定的"),
    "既有住宅加装电梯": ("老楼加装电梯需要多少住户同意，政府有没有补贴", "加装电梯的审批流程是什么，需要准备哪些材料"),
    "住房公积金": ("离职以后公积金怎么提取", "异地的公积金能不能转到示范市来"),
    "物业收费争议": ("物业费涨价需要经过什么程序", "物业收取的电梯费和公摊费有没有依据"),
    "老旧小区改造": ("我们小区有没有纳入今年的老旧小区改造计划", "老旧小区改造具体包括哪些内容，什么时候开工"),
    "通信基站辐射": ("住宅楼顶安装基站有没有审批，辐射是否超标", "怎么申请对基站辐射进行检测"),
    "驾驶证业务": ("驾驶证到期换证能不能在网上办理", "驾照丢了补办需要带什么材料"),
    "停车收费争议": ("路边停车的收费标准是多少", "停车场的收费标准在哪里可以查到"),
    "公交线路调整": ("这条公交线路为什么要调整，以后还会恢复吗", "我们这边什么时候能开通公交线路"),
    "未签订劳动合同": ("公司不签劳动合同，我能不能要求双倍工资", "试用期不签劳动合同合法吗"),
    "劳动仲裁": ("申请劳动仲裁需要准备哪些证据", "劳动仲裁在哪里申请，要不要收费"),
    "社保缴费咨询": ("社保断缴以后能不能补缴，对以后有什么影响", "灵活就业人员的社保缴费基数是怎么定的"),
    "养老金领取": ("退休手续需要提前多久办理", "养老金领取资格认证在哪里办"),
    "工伤认定": ("工伤认定申请的时限是多久", "公司不给申请工伤认定，个人能不能自己申请"),
    "就业服务咨询": ("失业人员怎么办理就业登记", "最近有没有招聘会，在哪里可以看到岗位信息"),
    "职业技能培训": ("职业技能培训补贴的申领条件是什么", "哪里可以报名参加免费的技能培训"),
    "人才引进政策": ("应届毕业生落户示范市有什么条件", "人才补贴和安家费怎么申请"),
    "学位咨询": ("孩子明年上小学，我们的房子划片对应哪所学校", "租房家庭的孩子入学需要准备哪些材料"),
    "幼儿园入园": ("普惠幼儿园的报名时间和条件是什么", "孩子没满三周岁能不能入园"),
    "疫苗接种咨询": ("成人能不能在社区卫生服务中心接种疫苗", "孩子的疫苗漏打了一针，现在还能补种吗"),
    "医保报销": ("住院费用医保报销的比例和起付线是多少", "门诊费用能不能用医保报销"),
    "异地就医备案": ("异地就医备案在网上怎么办理", "跨省住院能不能直接结算，需要什么手续"),
    "医保参保缴费": ("城乡居民医保每年什么时候缴费，一年交多少钱", "新生儿怎么参加医保"),
    "生育登记": ("生育登记在哪里办，需要带什么材料", "三孩生育登记有没有什么条件"),
    "户籍办理": ("孩子随迁落户需要准备哪些材料", "户口从外地迁到示范市的流程是什么"),
    "身份证办理": ("身份证能不能在示范市异地办理", "补办身份证多长时间能拿到，能不能先办临时身份证"),
    "低保申请": ("低保的申请条件是什么，收入标准是多少", "申请低保需要到哪里办理"),
    "临时救助": ("临时救助怎么申请，能救助多少钱", "外地户籍的人能不能申请临时救助"),
    "养老机构服务": ("公办养老院怎么申请入住，收费标准是多少", "养老机构有没有补贴政策"),
    "社区服务": ("社区能开哪些证明，需要带什么材料", "社区服务中心的上班时间是几点"),
    "婚姻登记": ("结婚登记需要带哪些材料，能不能异地办理", "婚姻登记需要提前预约吗"),
    "殡葬服务": ("殡仪馆的基本殡葬服务收费标准是多少", "办理丧葬补助金需要什么手续"),
    "残疾证办理": ("办理残疾证需要做哪些鉴定", "残疾证到期了怎么换证"),
    "残疾人补贴": ("残疾人两项补贴的申请条件是什么", "护理补贴每个月发多少"),
    "退役军人优抚待遇": ("退役军人优待证怎么申领", "优抚补助的发放标准是多少"),
    "退役安置": ("退役士兵安置有哪些政策", "自主就业的退役军人有没有补助"),
    "动物疫病防控": ("家里养的鸡鸭需要打什么疫苗，去哪里打", "发现病死畜禽应该怎么处理"),
    "农业补贴": ("今年的种粮补贴什么时候发放，标准是多少", "农机补贴怎么申请"),
    "宅基地问题": ("农村宅基地翻建需要办理哪些审批手续", "宅基地能不能继承"),
    "停水": ("我们这里为什么停水，什么时候能恢复供水", "停水有没有提前通知，在哪里可以查到"),
    "停电": ("我们小区为什么停电，大概什么时候来电", "计划停电的通知在哪里可以查到"),
    "燃气开通报装": ("新房开通燃气需要准备哪些材料", "燃气报装以后多久能上门通气"),
    "燃气费用": ("阶梯气价是怎么计算的", "燃气费能不能在网上缴纳"),
    "政策咨询": ("这项政策具体是怎么规定的，适用哪些人群", "相关政策文件在哪里可以查到"),
    "政府信息公开": ("政府信息公开申请怎么提交，多长时间答复", "这份文件有没有对外公开"),
    "个人所得税咨询": ("个税汇算的专项附加扣除怎么填报", "个人所得税退税多长时间到账"),
    "企业开办": ("注册个体户需要准备哪些材料，能不能网上办", "企业开办全流程大概需要几天"),
    "惠企政策兑现": ("小微企业可以申请哪些补贴", "惠企补贴的申报时间和条件是什么"),
    "不动产登记": ("二手房过户需要准备哪些材料", "不动产证办理需要多长时间"),
    "规划建设公示": ("小区旁边的地块规划是做什么用的", "规划公示的意见怎么提交"),
    "征地拆迁补偿": ("征收补偿的标准是怎么确定的", "拆迁安置房什么时候能交付"),
    "其他诉求": ("我这个事情应该找哪个部门", "这类问题有没有专门的办理渠道"),
}

# --------------------------------------------------------------------------
# Shared pools.  Placeholders: {place} {road} in intros; the frames below use
# the named slots filled in ``TicketTextFactory.ticket``.
# --------------------------------------------------------------------------

_INTROS = (
    "我住在{place}，{road}附近",
    "我是{place}的居民，家就在{road}边上",
    "我家在{road}上的{place}",
    "本人在{place}住了十几年了，就在{road}这边",
    "我在{place}上班，每天都要经过{road}",
    "我是住在{road}{place}的业主",
    "我是{place}的住户，位置在{road}附近",
    "我这边是{road}的{place}",
    "我们家住{place}，靠近{road}",
    "我在{road}附近的{place}租房住",
    "我是{place}的老住户，小区挨着{road}",
    "我是{road}{place}这边的居民",
    "我在{place}开了个小店，店就在{road}上",
    "我父母住在{place}，就是{road}那一片",
    "我住{road}旁边的{place}",
    "我是{place}的居民",
    "我家就在{place}，出门就是{road}",
)

_TIMES = (
    "从上周开始", "最近半个多月", "这几天", "从上个月中旬开始", "昨天晚上九点多",
    "今天早上七点左右", "前天下午", "这段时间", "从今年年初开始", "最近一个月以来",
    "上周末", "最近几天", "今天上午", "这两个星期", "从月初开始", "昨天下午四点多",
    "从春节以后", "入冬以来", "最近这阵子", "今天中午",
)

_TIMES_URGENT = (
    "刚才", "今天早上", "半个小时前", "今天下午三点多", "昨天夜里", "刚刚", "今天中午",
    "从早上开始", "昨天晚上十点多", "一个多小时前", "今天凌晨",
)

_DURATIONS_URGENT = (
    "已经好几个小时了", "到现在还没人管", "已经快一天了", "从早上到现在一直这样", "已经一个多小时了",
)

_DURATIONS = (
    "已经持续一个多月了", "前前后后快半年了", "差不多有两个星期了", "已经三四天了",
    "不是一天两天了", "反反复复好几回了", "到现在已经一个礼拜了", "拖了快两个月了",
)

_IMPACTS = (
    "给周边居民的生活带来了很大不便", "大家的意见都很大", "我们老百姓实在是没办法了",
    "家里老人孩子都受到了影响", "周围的住户都在抱怨", "严重影响了我们的正常生活",
    "真的让人很烦心", "邻居们都很着急", "我已经被这件事折腾得身心疲惫",
    "很多人都跟我说过同样的问题", "大家心里都很不踏实",
)

_IMPACTS_PERSONAL = (
    "我现在生活都成问题了", "家里人都跟着着急上火", "这件事让我非常焦虑", "我跑了好多趟，实在折腾不起了",
    "一家人的生活都受到了影响", "真的让人很烦心", "我已经被这件事折腾得身心疲惫", "心里一直不踏实",
    "我们老百姓实在是没办法了",
)

_TRIED = (
    "之前已经打过两次电话反映，到现在还是没有解决",
    "我也找过相关人员，对方说会处理，但一直没有下文",
    "跟身边的人打听了一圈，都不知道该找谁",
    "之前也反映过，当时说会处理，结果没过几天又是老样子",
    "自己也去协商过，对方根本不理",
    "网上留言也留过，一直没有回复",
    "找过好几个地方，都说不归他们管",
)

_ASK_COMPLAINT = (
    "希望相关部门尽快派人来现场看看", "请有关部门尽快核实处理", "希望能尽快解决，并给我一个答复",
    "麻烦12345帮忙督促一下", "请相关部门重视这个问题，早日解决", "希望有关部门能彻底整治，别再反复",
    "请尽快安排人员处理，处理结果请电话告知我", "希望能给我们一个说法", "请相关单位尽快整改",
    "恳请领导重视，尽快处理",
)

_ASK_COMPLAINT_PERSONAL = (
    "请有关部门尽快核实处理", "希望能尽快解决，并给我一个答复", "麻烦12345帮忙督促一下",
    "请相关部门重视这个问题，早日解决", "希望能给我一个明确的说法", "请尽快安排人员处理，处理结果请电话告知我",
    "希望相关部门依法维护我的合法权益", "恳请领导重视，尽快处理", "希望有关部门能管一管",
)

_ASK_REPORT = (
    "请有关部门依法查处", "希望执法部门尽快到现场核实处理", "我可以配合提供照片和视频，请严肃处理",
    "请相关部门尽快处置，消除隐患", "希望有关部门依法依规处理，不要让这种情况继续下去",
    "请不要透露我的个人信息，希望尽快查处", "请相关部门尽快去现场查看，避免出事",
    "希望有关部门管一管",
)

_ASK_HELP = (
    "实在没办法了，希望你们帮帮忙", "不知道该找哪个部门，麻烦12345帮忙协调一下",
    "希望能尽快派人来帮忙解决", "请帮忙联系相关单位尽快处理",
    "家里有老人和小孩，实在等不起了，请尽快帮忙", "想请政府帮忙想想办法",
    "麻烦帮我转给负责的部门", "希望能帮我们协调解决一下",
)

_CLOSES = (
    "谢谢！", "辛苦了。", "谢谢你们。", "麻烦尽快回复我。", "处理结果请电话告知。",
    "盼复。", "万分感谢！", "谢谢。", "拜托了。",
)

_CONTEXTS = (
    "家里最近正好要办这个事", "我对这方面的政策不太了解", "在网上搜了一下“{kw}”，也没找到明确的说法",
    "问了身边好几个人，说法都不一样", "听邻居说政策有变化", "第一次办这个事，什么都不懂",
    "家里老人让我帮忙问问", "单位同事也遇到了类似的情况",
)

_FOLLOWUPS = (
    "麻烦给个准确的答复", "如果需要本人到场办理，请告诉我具体地址和时间", "最好能把办理流程发短信给我",
    "请相关部门的工作人员给我回个电话", "希望能有专人给解释一下", "我怕跑冤枉路，所以先打电话问一下",
    "之前问过一次，说法不太一样，想再确认一下", "请尽快答复我",
)

_GENERIC_QUESTIONS = (
    "{topic}这方面具体是哪个部门负责", "{topic}的事情应该通过什么渠道办理",
    "关于{topic}，现在有没有新的政策规定", "{topic}的事一般需要多长时间能有结果",
    "像我这种情况，{topic}该怎么处理",
)

_SUGGESTS = (
    "建议相关部门加强对{topic}的日常巡查和管理", "建议把{topic}纳入网格员的日常巡查范围",
    "建议在{road}一带设置专门的管理点", "建议相关部门定期公开{topic}的处理情况，接受群众监督",
    "建议多听听周边居民的意见，从根源上解决{topic}的问题", "建议出台更明确的规定，让{topic}有章可循",
    "建议安排专人负责，建立长效管理机制", "建议开通线上反映渠道，方便群众随时反映{topic}的情况",
    "建议参考其他城市的好做法，把{topic}管起来", "建议相关部门牵头，联合社区一起想办法",
)

_PRAISE_ACTS = (
    "接到工单后第二天一早就来到现场查看", "很快就给我打来电话，耐心细致地了解情况",
    "冒着大雨赶到现场处理", "一次次上门协调，一点也不嫌麻烦", "把政策给我解释得清清楚楚",
    "加班加点，当天就处理好了", "主动跟进，处理完还专门回访", "放弃了周末休息时间来帮我们解决",
)

_PRAISE_RESULTS = (
    "问题很快就得到了解决", "现在情况已经完全好转", "困扰我们很久的问题终于解决了",
    "周围的邻居都说好", "让我们真切感受到了政府的温暖", "事情办得又快又好",
)

_PRAISE_CLOSES = (
    "特别打电话来表扬一下", "希望能对他们提出表扬", "一定要为他们点个赞",
    "想通过12345向他们表示衷心的感谢", "建议单位给予表扬", "真心感谢他们",
)

_FRAMES = {
    "complaint": (
        "{intro}。{time}，{detail}，{impact}。{tried}。{ask}。{close}",
        "{intro}，想反映一下{name}的问题：{detail}。这种情况{duration}，{impact}。{ask}。",
        "你好，{intro}。{detail}，{duration}，{impact}。{ask}，{close}",
        "我要投诉{name}。{intro}，{time}，{detail}。{tried}，{ask}。",
        "{intro}。我想反映的是：{detail}。{tried}。{impact}，{ask}。",
        "反映一个{name}的问题。{intro}，{time}，{detail}，{duration}。{ask}。{close}",
        "{intro}。说起{topic}这事就来气：{detail}，{duration}，{tried}。{ask}！",
        "{intro}。{time}，{detail}。{impact}，在小区群里一搜“{kw}”，全是大家的抱怨。{ask}。",
        "麻烦记录一下，{intro}。{detail}，{impact}。{ask}，{close}",
        "{intro}，{time}，{detail}。这个问题{duration}，{tried}。{ask}。",
        "我是第二次打电话反映了。{intro}，{detail}，{duration}。{ask}，{close}",
        "{intro}。{detail}，{impact}。希望有关部门重视{topic}的问题，{ask}。",
        "{intro}。{time}，{detail}，{tried}。{impact}，{ask}。{close}",
        "{intro}。{detail}。{duration}，{impact}，{ask}。",
        "{intro}，反映{name}。具体情况：{time}，{detail}。{ask}，谢谢。",
        "{intro}。这个情况我一定要反映：{detail}，{duration}。{tried}，{ask}。",
    ),
    "report": (
        "我要举报。{intro}，{time}，{detail}。{ask}。",
        "{intro}。{time}，{detail}，{impact}。{ask}。{close}",
        "举报{name}：{intro}，{time}，{detail}。{ask}。",
        "{intro}，向你们反映一个情况：{detail}。{duration}，{ask}。",
        "{intro}。{detail}，这种情况{duration}，{impact}。{ask}，{close}",
        "你好，我想举报一下。{intro}，{detail}。{tried}，{ask}。",
        "{intro}。{detail}，{time}又是这样。{impact}，{ask}。",
        "{intro}。{time}，{detail}，这事不能不管。{ask}。{close}",
        "实名举报{name}。{intro}，{detail}，{duration}。{ask}。",
        "{intro}，{time}，{detail}。这事必须得有人管，{ask}。",
        "反映{name}问题。{intro}，{detail}，{impact}。{ask}，{close}",
        "{intro}。{detail}，{tried}。{ask}！",
        "我要反映一个情况。{intro}，{time}，{detail}。{ask}。{close}",
        "{intro}。{detail}，大家一提起“{kw}”就担心。{ask}。",
        "{intro}，{time}，{detail}，{duration}。{impact}。{ask}，{close}",
        "{intro}，举报{topic}的问题：{detail}，{duration}。{ask}。",
    ),
    "help": (
        "{intro}。{time}，{detail}，{impact}。{ask}，{close}",
        "你好，我想求助一下。{intro}，{detail}。{tried}，{ask}。",
        "{intro}，遇到了{name}的问题：{detail}。{ask}。{close}",
        "{intro}。{time}，{detail}，到现在也没人管。{ask}！",
        "求助！{intro}，{detail}，{duration}。{ask}。",
        "{intro}。我们这里{detail}，{impact}。{tried}，{ask}。",
        "{time}，{detail}。{intro}，家里实在没办法了，{ask}。{close}",
        "{intro}，想请你们帮个忙：{detail}，{duration}。{ask}。",
        "{intro}。{detail}，我自己实在解决不了，{ask}，{close}",
        "不好意思打扰了，{intro}。{time}，{detail}。{ask}。",
        "{intro}。{time}，{detail}，{impact}，{tried}。{ask}。",
        "{intro}，{detail}。这件事{duration}，{tried}。{ask}，{close}",
        "我想反映一下{topic}的困难。{intro}，{detail}，{impact}。{ask}。",
        "{intro}。{time}，{detail}，在网上查了“{kw}”也不知道怎么办。{ask}。",
        "{intro}，{time}，{detail}。我们都是普通老百姓，{ask}。{close}",
        "紧急求助，{intro}，{detail}。{ask}，{close}",
    ),
    "enquiry": (
        "{intro}，想咨询一下：{question}？{followup}。{close}",
        "你好，{intro}。{context}，想问一下{question}？{followup}。",
        "{intro}。关于{topic}，想了解一下：{question}？另外，{question2}？{close}",
        "咨询一下{topic}的事。{intro}，{context}。{question}？{followup}。",
        "{intro}，{context}。请问{question}？{close}",
        "你好，{intro}，想咨询{topic}。{question}？{question2}？{followup}。",
        "{intro}。{context}，所以打电话问问：{question}？{followup}，{close}",
        "想问个问题，{intro}，{question}？{followup}。",
        "{intro}。{time}，听说{topic}有调整，想确认一下，{question}？{close}",
        "请问{question}？{intro}，{context}，{followup}。",
        "{intro}，家里有人要办{topic}的事。{question}？{followup}。{close}",
        "你好，{context}。{intro}，想问问{question}？还有{question2}？",
        "我想了解{topic}方面的规定。{intro}，{question}？{followup}。",
        "{intro}。{context}，不知道{question}？{close}",
        "咨询：{question}？{intro}，{context}。{followup}。",
        "{intro}，{time}去办事的时候没问清楚，想再问一下{question}？{followup}，{close}",
    ),
    "suggestion": (
        "{intro}。{time}，{detail}。{suggest}，{suggest2}。{close}",
        "我想提个建议。{intro}，{detail}，{impact}。{suggest}。",
        "{intro}，关于{topic}有几点建议：一是{suggest}；二是{suggest2}。{close}",
        "{intro}。平时注意到{detail}。{suggest}，{close}",
        "建议：{suggest}。{intro}，{detail}，{duration}。{close}",
        "{intro}，{detail}，{impact}。希望有关部门能采纳我的建议：{suggest}。",
        "你好，{intro}。对{topic}我有个想法：{suggest}，{suggest2}。",
        "{intro}。{detail}，这个问题{duration}。{suggest}，这样大家都方便。{close}",
        "提个小建议，{intro}。{suggest}，因为{detail}。{close}",
        "{intro}，{time}，{detail}。个人觉得{suggest}，{suggest2}。",
        "{intro}。{topic}的问题大家讨论了很久，{suggest}。{close}",
        "我是普通市民，{intro}。{detail}，{suggest}，希望能被采纳。",
        "{intro}。{detail}，{impact}。{suggest}，{close}",
        "关于{topic}的建议：{intro}，{detail}。{suggest}；{suggest2}。",
        "{intro}，想给{topic}提点意见：{suggest}。{close}",
        "{intro}。{time}，{detail}。希望相关部门研究一下：{suggest2}。{close}",
    ),
    "praise": (
        "{intro}。{time}我反映了{topic}的问题，{unit}的工作人员{act}，{result}。{praise}。",
        "我要表扬{unit}。{intro}，{time}遇到{name}的问题，工作人员{act}，{result}，{praise}！",
        "{intro}。之前{detail}，{unit}的同志{act}，{result}。{praise}，谢谢！",
        "你好，{intro}，打电话来不是投诉，是来表扬的。{unit}的工作人员{act}，{result}。{praise}。",
        "{intro}。关于{topic}的事，{unit}{act}，{result}。{praise}。",
        "感谢{unit}！{intro}，{time}反映的{name}问题，工作人员{act}，{result}。",
        "{intro}。{time}，{detail}，打了12345以后，{unit}的工作人员{act}，{result}。{praise}。",
        "我想给{unit}点个赞。{intro}，工作人员{act}，{result}。",
        "{intro}，之前反映过{topic}的问题。{unit}的师傅{act}，{result}。{praise}，辛苦了！",
        "表扬一下{unit}的工作人员。{intro}，{time}，他们{act}，{result}。{praise}。",
        "{intro}。{unit}处理{topic}的问题非常认真，{act}，{result}。{praise}。",
        "{time}，我因为{name}的事打过电话，{unit}{act}，{result}。{intro}，{praise}。",
        "{intro}。{detail}，本来以为没人管，没想到{unit}{act}，{result}。{praise}！",
        "{intro}，代表邻居们感谢{unit}：{act}，{result}。{praise}。",
        "你好，{intro}。{unit}的工作人员{act}，{result}，{praise}。",
        "{intro}。{time}，{unit}的工作人员{act}。{result}，{praise}，谢谢你们！",
    ),
}

# Frames that tie the problem to the road; only used for problems at a spot
# in the street or the neighbourhood (see _LOCAL), not for personal affairs.
_LOCAL_FRAMES = {
    "complaint": (
        "{time}，{road}这边{detail}。{intro}，每天都受影响，{impact}。{ask}。{close}",
        "{time}，{detail}，地点在{road}{place}附近。{impact}。{tried}。{ask}。{close}",
    ),
    "report": (
        "举报{name}：{time}，{detail}，地点在{road}{place}附近。{ask}。",
        "{time}，我路过{road}的时候，{detail}。{impact}，{ask}。",
        "{intro}。{time}，{detail}，周围很多人都看到了。{ask}。{close}",
        "反映{road}附近的{name}问题：{detail}，{impact}。{ask}，{close}",
    ),
    "help": (
        "{intro}。{time}，{road}这边{detail}，{impact}。{ask}。",
        "{time}，{road}{place}这里{detail}，{duration}。{ask}，{close}",
    ),
    "enquiry": (),
    "suggestion": (
        "{intro}。{road}一带{detail}，{duration}。{suggest}。{close}",
    ),
    "praise": (),
}

_LOCAL = frozenset("""
路灯不亮 井盖缺失破损 道路破损坑洼 违法建设 擅自拆改承重墙 占道经营 垃圾清运不及时 乱张贴小广告 户外广告牌安全隐患
垃圾分类 建筑工地安全隐患 小区环境 老旧小区改造 噪音扰民 夜间施工噪音 广场舞噪音 餐饮油烟 工地扬尘 露天焚烧
工业废气排放 企业偷排污水 河道污染 危险废物处置 通信基站辐射 非法营运黑车 公交车不按站停靠 违章停车 交通信号灯故障
交通拥堵 共享单车乱停放 校园周边安全 公共体育设施损坏 非法行医 病媒生物防制 过期食品 无证餐饮 农贸市场管理 治安隐患
黄赌毒举报 消防通道堵塞 消防设施损坏 电动车违规充电 楼道杂物堆放 企业安全生产隐患 危险化学品隐患 宠物扰民 违规养犬
流浪乞讨人员救助 无障碍设施 动物疫病防控 农村人居环境 树木修剪 绿地毁坏 树木倒伏 公园管理 停水 水压低 供水管道漏水
停电 电力线路安全隐患 燃气泄漏隐患 道路积水 下水道堵塞 污水外溢 通信信号差
""".split())

# What a praise message is about when the leaf itself is the praise category.
_PRAISE_SUBJECTS = ("小区路灯不亮", "家门口道路积水", "楼道杂物堆放", "老人办理低保", "孩子入学", "小区停水",
                    "拖欠工资", "楼上漏水")

_TITLES = {
    "complaint": ("{road}{name}", "{place}{name}问题", "反映{place}{name}", "投诉{road}附近{name}",
                  "{place}{topic}问题长期未解决", "{name}问题请尽快处理", "{road}{place}附近{name}"),
    "report": ("举报{road}{name}", "{place}附近{name}", "反映{road}存在{name}问题", "举报{place}{name}",
               "{road}{name}请依法查处"),
    "help": ("求助：{place}{name}", "{place}{name}，请求帮助", "请帮忙解决{name}问题", "{road}居民求助{topic}问题"),
    "enquiry": ("咨询{topic}相关问题", "关于{topic}的咨询", "{place}居民咨询{topic}", "想了解{topic}的办理流程",
                "询问{topic}有关规定"),
    "suggestion": ("关于{topic}的建议", "建议改善{road}{topic}问题", "对{topic}的几点建议", "{place}居民关于{topic}的建议"),
    "praise": ("表扬{unit}工作人员", "感谢{unit}及时解决{topic}问题", "为{unit}点赞", "{place}居民致谢{unit}"),
}
_TITLE_FALLBACK = {
    "complaint": "{name}", "report": "举报{name}", "help": "求助{name}", "enquiry": "咨询{topic}",
    "suggestion": "关于{topic}的建议", "praise": "表扬感谢",
}

_ACTIONS = {
    "urban_management": ("组织执法队员到现场进行了查处", "联系属地城管中队对现场进行了整治"),
    "housing": ("约谈了相关责任单位并下发了整改通知", "组织工作人员到现场核查并督促整改"),
    "transport": ("调取了运营数据并约谈了相关企业", "对涉事车辆和驾驶员依规作出了处理"),
    "public_security": ("安排辖区派出所民警到现场处置", "由辖区民警对当事人进行了批评教育"),
    "traffic_police": ("安排辖区交警大队到现场处置", "对相关交通违法行为依法进行了处理"),
    "ecology_environment": ("组织执法人员到现场进行了检查和监测", "责令相关单位限期整改"),
    "market_regulation": ("安排属地市场监管所执法人员到现场检查", "组织双方进行了调解"),
    "human_resources": ("安排劳动保障监察人员进行了调查", "约谈了用人单位负责人"),
    "education": ("责成相关学校进行了核查整改", "安排工作人员与您电话沟通并解释了相关政策"),
    "health": ("责成相关医疗机构进行了核查", "组织卫生监督人员到现场进行了检查"),
    "civil_affairs": ("会同属地街道进行了入户核查", "安排工作人员对相关政策进行了解释"),
    "water_affairs": ("安排排水养护人员到现场进行了疏通", "组织抢险队伍到现场进行了处置"),
    "landscaping": ("安排养护单位到现场进行了处理", "组织园林工人对现场进行了修剪和清理"),
    "planning_resources": ("调阅了相关档案资料并进行了核查", "安排工作人员对相关政策进行了解释"),
    "agriculture": ("会同属地乡镇进行了调查核实", "安排农业综合执法人员进行了检查"),
    "culture_tourism": ("约谈了相关企业负责人", "组织文化市场执法人员到现场检查"),
    "emergency_management": ("组织执法人员到现场进行了安全检查", "责令相关企业立即整改隐患"),
    "healthcare_security": ("调取了相关结算记录进行了核查", "安排工作人员与您沟通并解释了医保政策"),
    "veterans_affairs": ("安排工作人员与您进行了面谈", "会同区退役军人事务部门进行了核实"),
    "commerce": ("约谈了相关经营主体", "组织工作人员到现场进行了检查"),
    "taxation": ("安排税务人员进行了核查", "通过电话向您详细解释了相关政策"),
    "fire_rescue": ("安排消防监督员到现场进行了检查", "责令相关单位立即清理整改"),
    "disabled_persons": ("安排工作人员与您电话沟通并解释了办理流程", "会同社区进行了上门核实"),
    "government_services": ("约谈了相关窗口负责人", "安排工作人员与您电话沟通"),
    "water_supply": ("安排维修人员到现场进行了抢修", "派工作人员上门进行了检测"),
    "power_supply": ("安排抢修人员到现场进行了抢修", "派工作人员对线路进行了排查"),
    "gas_supply": ("安排抢险人员到现场进行了处置", "派工作人员上门进行了安全检查"),
    "heating_supply": ("安排维修人员入户进行了检查和调试", "对小区管网进行了排查和维修"),
    "bus_group": ("调取了车载监控并对驾驶员进行了批评教育", "对相关线路的运营情况进行了核查"),
    "telecom": ("安排技术人员上门进行了检修", "对相关区域的网络进行了优化"),
    SUBDISTRICT: ("组织社区工作人员到现场进行了协调", "会同物业和社区进行了现场处理"),
}
_GENERIC_ACTIONS = ("安排工作人员到现场进行了核查", "与您电话联系，详细了解了情况")

_VERIFY = ("您反映的情况基本属实", "现场情况与您描述的一致", "该问题确实存在", "您反映的问题情况属实")
_RESULTS = ("目前问题已处理完毕", "相关责任方已完成整改", "问题已得到妥善解决",
            "已与您电话沟通，您对处理情况表示认可")
_RESULTS_LOCAL = ("现场已恢复正常", "经复查，现场问题已整改到位")
_RESULTS_PERSONAL = ("已督促相关单位按规定为您办理", "已向您详细解释了相关政策，您表示理解")
_OBSTACLES = (
    "涉及历史遗留问题，需要多部门协调解决", "需要纳入明年的改造计划统筹安排",
    "双方分歧较大，调解未能达成一致", "现场核查时暂未发现您反映的情况", "您反映的事项不符合现行政策规定",
    "属于民事纠纷，行政部门无权强制处理", "涉及资金和审批手续，短期内无法完成",
)
_PLANS = (
    "我单位将持续跟进，待条件成熟后尽快解决", "建议您通过法律途径维护自身合法权益",
    "如有新情况请随时与我们联系", "我们将加强巡查，发现问题及时处理", "已将相关情况上报上级部门研究",
)
_REPLIES_RESOLVED = (
    "您好，您反映的{topic}问题已收悉。经核实，{verify}。我单位已于{date}{action}，{result}。感谢您对我们工作的理解和支持。",
    "经核实，{verify}。{date}，{unit}{action}，{result}。后续我们将加强日常巡查，防止问题反弹。如有疑问可再次致电12345。",
    "市民您好：关于您反映的{name}问题，{unit}高度重视，于{date}{action}。{result}，已电话告知您处理结果。",
    "您好！收到工单后，我单位立即{action}。经核实，{verify}，{date}{result}。感谢您的监督。",
    "经核实，您反映的{name}问题{verify2}。我单位于{date}{action}，{result}。下一步将建立长效机制，避免类似问题再次发生。",
    "您好，针对您反映的{topic}问题，{unit}于{date}{action}，{result}。如仍有问题，欢迎再次反映。",
)
_REPLIES_UNRESOLVED = (
    "您好，经核实，您反映的{topic}问题{obstacle}。{plan}。感谢您的理解。",
    "关于您反映的{name}问题，我单位已于{date}{action}。但该问题{obstacle}，{plan}。",
    "市民您好：{unit}收到您反映的{topic}问题后，于{date}{action}。经了解，{obstacle}，{plan}，请您谅解。",
    "您好，您反映的{name}问题我单位已认真研究。由于{obstacle}，暂时无法彻底解决。{plan}。",
    "经核实，{verify}，但{obstacle}。我单位已于{date}与您电话沟通，{plan}。",
)

_REPLIES_PRAISE = (
    "感谢您对{unit}工作的肯定和表扬！您的鼓励是我们前进的动力，我们已将您的表扬转达给相关工作人员，今后将继续努力，为市民提供更好的服务。",
    "您好，您的表扬我们已经收到，已于{date}在单位内部进行了通报。我们将以此为激励，继续用心用情为群众办实事。",
    "非常感谢您的来电表扬！{unit}将继续保持良好作风，认真对待每一件群众诉求。欢迎您继续监督我们的工作。",
)

_CALLBACK = {
    "satisfied": (
        "市民表示问题已解决，对处理结果满意。", "市民表示处理及时，工作人员态度很好，满意。",
        "市民称问题已经解决，感谢相关部门。", "市民对处理结果表示满意，无其他诉求。",
        "市民表示满意，同意办结。", "市民表示承办单位回复很详细，满意。",
        "市民表示工作人员第一时间到了现场，非常满意。",
    ),
    "basically_satisfied": (
        "市民表示问题基本解决，但处理时间有点长。", "市民表示基本满意，希望后续加强管理，防止反弹。",
        "市民认可处理态度，但问题仍有部分未解决。", "市民表示情况有所好转，基本满意。",
        "市民表示答复基本清楚，但希望能更具体一些。", "市民表示基本满意，希望以后能提前通知。",
    ),
    "unsatisfied": (
        "市民表示问题仍未解决，对处理结果不满意，要求重新办理。", "市民称工作人员未到现场核实，只是电话答复，不满意。",
        "市民表示答复内容与实际情况不符，不满意。", "市民表示同样的问题反复出现，不满意，要求彻底解决。",
        "市民对处理时限不满意，认为拖延时间太长。", "市民表示承办单位互相推诿，不满意。",
        "市民表示承办单位没有联系过本人，不满意。",
    ),
}
_CALLBACK_PREFIXES = ("回访时", "经电话回访，", "回访市民，", "", "已回访，")

_RETURN_REASONS = (
    "经核实，该诉求不属于我单位职责范围，应由{other}负责办理，请予改派。",
    "来电人提供的地址不详，经多次电话联系未能接通，无法核实具体位置。",
    "该问题已由{other}处理，属于重复派单，请予退回。",
    "诉求点位不在我单位管辖范围内，请改派属地街道办事处。",
    "该事项已进入司法程序，不属于行政处理范围。",
    "诉求内容与工单分类不符，请重新核定分类后派发。",
    "该诉求属于企业内部经营行为，建议由{other}处理。",
    "诉求点位位于{other}管理的区域，请改派。",
    "来电人反映的问题属于民事纠纷，建议通过人民调解或诉讼途径解决。",
    "工单地址与诉求内容不一致，无法确定处置点位，请核实后重新派发。",
)
_EXTENSION_REASONS = (
    "该问题涉及多个部门，需协调联合处置，申请延期。",
    "涉及管线改造施工，需待相关审批手续办结后实施。",
    "近期连续降雨，不具备施工条件，申请延期处理。",
    "需委托第三方检测机构出具检测报告，检测周期较长。",
    "涉事企业负责人暂时联系不上，需进一步调查取证。",
    "维修所需配件需要采购，预计到货时间较长。",
    "该事项需提交业主大会表决，需要一定时间组织。",
    "案件处于立案调查阶段，需依法履行法定程序。",
    "涉及资金申请，需走财政审批程序。",
    "需与市民预约上门时间，市民近期不在本市。",
)
_INVALID_REASONS = (
    "来电人无实质诉求，多次拨打热线骚扰话务员。",
    "重复来电，内容与已办结工单一致，且已多次答复。",
    "来电人情绪激动，辱骂话务员，无具体诉求内容。",
    "来电内容为测试电话，无具体诉求。",
    "来电人反映的内容明显与事实不符，属于恶意投诉。",
    "来电为推销广告，与政务服务无关。",
    "来电人诉求超出政府职责和法律规定范围，属于无理诉求。",
    "来电接通后无声音，多次询问无应答。",
    "来电人所述内容混乱，无法确认具体诉求。",
    "同一来电人当天连续来电十余次，内容均为闲聊。",
)

_TOPIC_SUFFIXES = ("咨询", "申请", "办理", "问题", "争议", "业务", "管理")


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _topic(name: str) -> str:
    """"低保申请" -> "低保": the subject, for "关于{topic}的建议" and the like."""
    return _strip(name, _TOPIC_SUFFIXES)


def _label(name: str) -> str:
    """"学位咨询" -> "学位": the problem as a resident names it."""
    return _strip(name, ("咨询",))


def _iter_leaves(taxonomy: list[dict]):
    """Yield (leaf, effective department key) for every level-3 node."""
    for level1 in taxonomy:
        for level2 in level1.get("children", ()):
            default = level2.get("department")
            for leaf in level2.get("children", ()):
                yield leaf, leaf.get("department") or default


def _clip(text: str, lower: int, upper: int, filler: str) -> str:
    if len(text) > upper:
        cut = text.rfind("。", 0, upper)
        if cut >= lower - 1:
            text = text[: cut + 1]
        else:
            text = text[: upper - 1] + "。"
    while len(text) < lower:
        text += filler
    return text[:upper]


class _Leaf:
    __slots__ = ("code", "name", "label", "topic", "keywords", "details", "questions", "unit", "unit_name",
                 "actions", "frames", "times", "durations", "impacts", "results", "praise_subjects",
                 "ask_complaint")

    def __init__(self, leaf: dict, dept_key: str | None, departments: dict[str, dict]):
        self.code = leaf["code"]
        self.name = leaf["name"]
        self.label = _label(self.name)
        self.topic = _topic(self.name)
        local = self.name in _LOCAL
        self.frames = {rt: frames + (_LOCAL_FRAMES[rt] if local else ()) for rt, frames in _FRAMES.items()}
        urgent = bool(leaf.get("urgent"))
        self.times = _TIMES_URGENT if urgent else _TIMES
        self.durations = _DURATIONS_URGENT if urgent else _DURATIONS
        self.impacts = _IMPACTS if local else _IMPACTS_PERSONAL
        self.ask_complaint = _ASK_COMPLAINT if local else _ASK_COMPLAINT_PERSONAL
        self.results = _RESULTS + (_RESULTS_LOCAL if local else _RESULTS_PERSONAL)
        self.praise_subjects = _PRAISE_SUBJECTS if "表扬" in self.name else None
        self.keywords = tuple(leaf.get("keywords") or (self.name,))
        details = _DETAILS.get(self.name)
        if not details:
            kws = self.keywords
            details = (f"出现了{self.name}的情况，一直没有人处理",
                       f"{self.name}的问题越来越严重，尤其是“{kws[0]}”这一块",
                       f"{self.topic}方面的问题反复出现")
        self.details = details
        questions = _QUESTIONS.get(self.name, ())
        generic = tuple(q.format(topic=self.topic) for q in _GENERIC_QUESTIONS)
        # Leaf-specific questions weigh double.
        self.questions = questions + questions + generic
        if dept_key == SUBDISTRICT:
            self.unit, self.unit_name = "街道", "属地街道办事处"
        elif dept_key in departments:
            self.unit = departments[dept_key].get("short") or departments[dept_key]["name"]
            self.unit_name = departments[dept_key]["name"]
        else:
            self.unit, self.unit_name = "相关部门", "我单位"
        self.actions = _ACTIONS.get(dept_key, ()) + _GENERIC_ACTIONS


class TicketTextFactory:
    """Generates titles, descriptions, replies and notes for demo tickets."""

    def __init__(self, taxonomy: list[dict], seed: int = 2026, departments: list[dict] | None = None):
        self._rng = random.Random(seed)
        if departments is None:
            departments = self._load_departments()
        by_key = {d["key"]: d for d in departments}
        self._department_shorts = tuple(d.get("short") or d["name"] for d in departments) or ("相关部门",)
        self._leaves: dict[str, _Leaf] = {}
        for leaf, dept_key in _iter_leaves(taxonomy):
            self._leaves[leaf["code"]] = _Leaf(leaf, dept_key, by_key)
        if not self._leaves:
            raise ValueError("taxonomy has no level-3 categories")

    @staticmethod
    def _load_departments() -> list[dict]:
        try:
            with open(_DEPARTMENTS_FILE, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return []

    @property
    def leaf_codes(self) -> tuple[str, ...]:
        return tuple(self._leaves)

    def _leaf(self, leaf_code: str) -> _Leaf:
        try:
            return self._leaves[leaf_code]
        except KeyError:
            raise KeyError(f"unknown taxonomy leaf code: {leaf_code!r}") from None

    def _date(self) -> str:
        rnd = self._rng.random
        return f"{int(rnd() * 12) + 1}月{int(rnd() * 28) + 1}日"

    def ticket(self, leaf_code: str, request_type: str, place: str, road: str) -> tuple[str, str]:
        """Return (title, description) of a resident's message about ``leaf_code``."""
        leaf = self._leaf(leaf_code)
        try:
            frames = leaf.frames[request_type]
        except KeyError:
            raise ValueError(f"unknown request type: {request_type!r}") from None
        choice = self._rng.choice
        kw = choice(leaf.keywords)
        slots = {
            "place": place, "road": road, "name": leaf.label, "topic": leaf.topic, "kw": kw,
            "unit": leaf.unit,
            "intro": choice(_INTROS).format(place=place, road=road),
            "time": choice(leaf.times),
            "detail": choice(leaf.details),
            "duration": choice(leaf.durations),
            "impact": choice(leaf.impacts),
            "tried": choice(_TRIED),
            "close": choice(_CLOSES),
        }
        if request_type == "complaint":
            slots["ask"] = choice(leaf.ask_complaint)
        elif request_type == "report":
            slots["ask"] = choice(_ASK_REPORT)
        elif request_type == "help":
            slots["ask"] = choice(_ASK_HELP)
        elif request_type == "enquiry":
            questions = leaf.questions
            q1 = choice(questions)
            q2 = choice(questions)
            if q2 == q1:
                q2 = questions[-1] if q1 != questions[-1] else questions[-2]
            slots["question"], slots["question2"] = q1, q2
            slots["context"] = choice(_CONTEXTS).format(kw=kw)
            slots["followup"] = choice(_FOLLOWUPS)
        elif request_type == "suggestion":
            s1 = choice(_SUGGESTS)
            s2 = choice(_SUGGESTS)
            if s2 == s1:
                s2 = _SUGGESTS[0] if s1 != _SUGGESTS[0] else _SUGGESTS[1]
            slots["suggest"] = s1.format(topic=leaf.topic, road=road)
            slots["suggest2"] = s2.format(topic=leaf.topic, road=road)
        else:  # praise
            if leaf.praise_subjects:
                slots["name"] = slots["topic"] = choice(leaf.praise_subjects)
            slots["act"] = choice(_PRAISE_ACTS)
            slots["result"] = choice(_PRAISE_RESULTS)
            slots["praise"] = choice(_PRAISE_CLOSES)
        description = choice(frames).format_map(slots)
        if len(description) > DESCRIPTION_MAX or len(description) < DESCRIPTION_MIN:
            description = _clip(description, DESCRIPTION_MIN, DESCRIPTION_MAX, "希望相关部门尽快处理，谢谢！")
        title = choice(_TITLES[request_type]).format_map(slots)
        if len(title) > TITLE_MAX:
            title = _TITLE_FALLBACK[request_type].format_map(slots)[:TITLE_MAX]
        return title, description

    def reply(self, leaf_code: str, resolved: bool) -> str:
        """A handling unit's reply to the resident."""
        leaf = self._leaf(leaf_code)
        choice = self._rng.choice
        verify = choice(_VERIFY)
        slots = {
            "name": leaf.label, "topic": leaf.topic, "unit": leaf.unit_name,
            "date": self._date(), "action": choice(leaf.actions), "verify": verify,
            "verify2": verify.replace("您反映的", ""),
        }
        if leaf.praise_subjects:
            text = choice(_REPLIES_PRAISE).format_map(slots)
        elif resolved:
            slots["result"] = choice(leaf.results)
            text = choice(_REPLIES_RESOLVED).format_map(slots)
        else:
            slots["obstacle"] = choice(_OBSTACLES)
            slots["plan"] = choice(_PLANS)
            text = choice(_REPLIES_UNRESOLVED).format_map(slots)
        return _clip(text, REPLY_MIN, REPLY_MAX, "如有疑问，可再次致电12345热线。")

    def callback_note(self, rating: str) -> str:
        """A short note written by the operator after the satisfaction callback."""
        try:
            notes = _CALLBACK[rating]
        except KeyError:
            raise ValueError(f"unknown rating: {rating!r}") from None
        choice = self._rng.choice
        return choice(_CALLBACK_PREFIXES) + choice(notes)

    def return_reason(self) -> str:
        """Why a handling unit sends a ticket back to the hotline."""
        choice = self._rng.choice
        return choice(_RETURN_REASONS).format(other=choice(self._department_shorts))

    def extension_reason(self) -> str:
        return self._rng.choice(_EXTENSION_REASONS)

    def invalid_reason(self) -> str:
        return self._rng.choice(_INVALID_REASONS)
