"""The crisis screen's rules: deterministic patterns over the person's recent messages.

Runs before anything else on every turn, online or offline (stdlib `re` only, no model, no
network). It looks for self-harm or suicide intent and for threats to others, in the newest
message and across the last few (a thought split over two messages, or an ambiguous line
after earlier hopelessness). It is a screen, not a diagnosis: on doubt it errs towards
asking "are you safe?". It does NOT judge reports about other people ("my uncle died by
suicide"), quoted sentences (a quoted word or three is read as a quote), sarcasm, or languages
other than English, and new phrasings slip past it (see evals/suites/safety.py; screen.py
adds the embedding layer on top).

How the text is read (see `normalize`): unicode tricks are undone, contractions expanded,
and every run of a repeated letter squeezed to one letter ("kiiill" and "kill" both become
"kil"). The patterns below are written in plain English and squeezed the same way when
compiled, so they stay readable. Known figures of speech ("career suicide", "dying to
know", "I'd kill for that contract") are rewritten to neutral words before matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

Risk = Literal["self_harm", "harm_to_others"]

WINDOW = 4  # how many of the person's recent messages give context
_CONFUSABLES = str.maketrans("аеорсухіјѕԁһӏ’‘`´", "aeopcyxijsdhl''''")  # Cyrillic look-alikes
_LEET = str.maketrans("013457@$", "oieastas")
_SQUEEZE = re.compile(r"(?<!\\)([a-z])\1+")  # not after a backslash: "\bb" stays a regex
_SPACED = re.compile(r"(?<![\w@$])[\w@$](?:[ .*]+[\w@$](?![\w@$])){2,}")  # "k i l l", "k.i.l.l"
_TOKEN = re.compile(r"[a-z0-9@$|!]*[a-z][a-z0-9@$|!]*")  # a word with at least one letter


def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(_SQUEEZE.sub(r"\1", p)), _SQUEEZE.sub(r"\1", r)) for p, r in pairs]


def _rx(*sources: str) -> re.Pattern[str]:
    return re.compile("|".join("(?:" + _SQUEEZE.sub(r"\1", s) + ")" for s in sources))


def _words(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_REWRITES = _rules(  # contractions and slang, so that each pattern needs one spelling
    (r"\b(i)'?m\b", r"\1 am"),
    (r"\bi'll\b|\bill(?= (?:kill|hurt|shoot|stab|bring|end|just|never|not|make))", "i will"),
    (r"\bi'd\b", "i would"),
    (r"\bi'?ve\b", "i have"),
    (r"\b(what|it|that|there|who)'s\b|\b(what|that|there)s\b", r"\1\2 is"),
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b|\bcannot\b", "can not"),
    (r"\b(do|does|did|is|was|are|were|would|should|could|have|has|had)n'?t\b", r"\1 not"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bany more\b", "anymore"),
    (r"\bkms\b", "kill myself"),
    (r"\bunalive[sd]?\b", "kill"),
    (r"\bunaliving\b", "killing"),
    (r"\bsewer ?slide\b|\bsuiside\b|\bsuicde\b", "suicide"),
    # learners' English: other verbs for ending a life, "thinking to do" for "thinking of doing"
    (r"\b(?:finish|stop|close|terminate|complete) my (?:own )?life\b(?! \w*(?:insurance|savings"
     r"|story|cover|policy))", "end my life"),
    *((rf"\b(?:thinking|feeling|planning|wanting) to {verb}\b", f"thinking about {doing}")
      for verb, doing in (("end", "ending"), ("kill", "killing"), ("jump", "jumping"),
                          ("die", "dying"), ("hang", "hanging"), ("cut", "cutting"))),
)
_FIGURES = _rules(  # known figures of speech, rewritten to neutral words
    (r"\b(career|political|professional|commercial|financial|social|business|corporate"
     r"|reputational|brand|pr) suicide", r"\1 risk"),
    (r"\bsuicide (mission|squad|squeeze|run|doors?|drill|sprint|pace|move)", r"risky \1"),
    (r"\b(strategy|pricing|plan|idea|move|offer|deal|discount|price|rate|approach|timeline"
     r"|decision|terms|budget) (is|was|seems|looks|sounds) (\w+ )?suicidal", r"\1 is reckless"),
    (r"\bsuicidal (pricing|strategy|plan|move|idea|discount|deal|offer|terms)", r"reckless \1"),
    (r"\bsuicide for (our|my|the|their) (margins?|business|brand|career|numbers)", "too risky"),
    (r"\bdying (to|for)\b", r"eager \1"),
    (r"\b(die|died|dying) (of|from) (embarrassment|shame|boredom|cringe|laughter|laughing"
     r"|curiosity|envy|jealousy|suspense|stress)", "cringe"),
    (r"\b(kill|killed|killing) (myself|me) (laughing|trying|working|to (get|finish|close|meet"
     r"|make|hit|deliver))", r"work hard \3"),
    (r"\b(kill|killing|murder) (for|to get|to have|to land|to work|to be)\b", r"want badly \2"),
    (r"\b(rather|sooner) (die|be dead|jump off a bridge|jump off a cliff) than\b"
     r"(?! (?:keep |go on |continue )?(?:living|live|going on|existing|exist|wake|face"
     r"|be alive)\b)", r"\1 walk away than"),
    (r"\b(contract|deal|partnership|agreement|lease|negotiation|talks|collaboration|retainer"
     r"|relationship|engagement)\b(.{0,80}?)\bend it\b", r"\1\2end that"),
    (r"\b(die|dying) on (this|that) hill\b|\bhill (i|you|we) (\w+ ){0,3}die on\b", "priority"),
    (r"\b(kill|killing) (him|her|them|you|everyone) with kindness", "charm"),
    (r"\b(shoot|shooting) (me|him|her|them|you|us) (an?|over an?) ", r"send \2 a "),
    (r"\b(shoot|shooting|shot) (myself|ourselves|yourself) in the foot", "self sabotage"),
    (r"\bkill(ing)? two birds\b", "combine"),
    (r"\b(knife|gun) to a (gun|knife) ?fight\b", "weak plan"),
    (r"\boverdos(e|ed|ing) on (coffee|caffeine|sugar|meetings|work|emails|netflix|prep)", "excess"),
    (r"\b(drown|drowning|bury|burying) myself in (work|paperwork|emails|tasks|prep)", "busy"),
    (r"\b(burn|burning|burnt|burned) myself out\b", "tired out"),
    (r"\b(cut|cutting) myself (off|short|some slack|a break)", "stop"),
)

_FIGURATIVE = _rx(  # violent words about things, not people: "killing me" said of a deal
    r"\b(?:deal|offer|commute|process|negotiation|wait|waiting|job|client|pitch|this|it|that"
    r"|irony|suspense|meeting|boss|landlord|recruiter|rent|price|silence) (?:is|was|are"
    r"|has been) (?:\w+ )?(?:killing|murdering|torturing) (?:me|us)\b",
    r"\b(?:killed|murdered|slaughtered|torpedoed|shot down|buried|nuked|axed) (?:it|the|my"
    r"|our|their|every|his|her) ",
    r"\b(?:dead|dying) (?:serious|tired|set|end|giveaway|in the water|on arrival|weight)\b",
    r"\bend of my rope with\b|\bhang(?:ing)? in there\b|\bnot (?:a )?life or death\b",
)
# A word or three in quotes is someone's word for a thing: "called our pricing 'suicidal'".
_QUOTED = re.compile(r"(?<![\w'\"])['\"][a-z]+(?: [a-z]+){0,2}['\"](?![\w'\"])")
_PAST = _rx(r"\b(?:years? ago|used to|as a (?:teen|teenager|kid)|in my (?:teens|twenties"
            r"|thirties)|back in (?:19|20)\d\d|when i was (?:younger|a teen|a kid|in school)"
            r"|back in (?:uni|college|school|the day)|in the past|\w+ years? (?:clean|free))\b")
_RECOVERED = _rx(
    r"\b(?:i am (?:\w+ )?(?:fine|okay|ok|good|well|safe|stable|handling)|good place|got (?:\w+ )?"
    r"help|therapy|therapist|recovered|rebuilt|sorted me out|have not (?:in|since|for)"
    r"|not anymore|not now|now i|medication|(?:have|had|got) a good life|i am \d+ now"
    r"|doing well|\w+ years? clean)\b"
)
_NOW = _rx(r"\b(?:again|tonight|right now|these days|lately|coming back|started)\b")
_PERSON = _words(
    "guy", "man", "woman", "lady", "dude", "bitch", "bastard", "asshole", "idiot", "jerk",
    "prick", "boss", "manager", "recruiter", "landlord", "client", "customer", "buyer", "seller",
    "investor", "partner", "ceo", "founder", "director", "supervisor", "interviewer",
    "coworker", "colleague", "husband", "wife", "ex", "boyfriend", "girlfriend", "brother",
    "sister", "dad", "father", "mom", "mother", "neighbou?r", "agent", "rep", "family", "kids",
    "team", "people", "guys", "men", "women",
)
_NOT_A_NAME = _words(
    "it", "this", "that", "these", "those", "the", "a", "an", "my", "your", "his", "our",
    "their", "its", "time", "for", "to", "off", "me", "us", "myself", "yourself", "itself",
    "all", "some", "any", "again", "here", "there", "now", "so", "and", "or", "but", "if",
    "with", "in", "on", "at", "up", "out", "over", "about", "just", "really", "anything",
    "something", "everything", "nothing",
)
_THEN = r"(?=$|[,.!?;]| (?:" + "|".join((  # what may follow a person's name or "her"
    "if", "when", "and", "so", "for", "because", "tonight", "today", "tomorrow", "now", "with",
    "too", "at", "in", "on", "right", "then", "soon", "after", "before", "once", "the", "i",
    "myself", "dead", "or", "but", "until", "over", "already",
)) + r")\b)"
_OBJ = _words(  # a person as the object of a violent verb; never "it", "this pitch", "the deal"
    "him", "them", "you", "everyone", "everybody", "someone", "somebody", "anyone", "anybody",
    "people", f"her{_THEN}",
    rf"(?:my|the|that|this|his|her|their|our|your|those|these) (?:\w+ ){{0,2}}{_PERSON}s?\b",
    rf"(?!{_NOT_A_NAME}\b)[a-z]{{2,}}{_THEN}",  # a name: "kill jonas"
)
_HARM = _words(
    "kill", "killing", "murder", "murdering", "hurt", "hurting", "stab", "stabbing", "shoot",
    "shooting", "strangle", "strangling", "choke", "choking", "punch", "punching", "attack",
    "attacking", "beat up", "beating up", r"beat the (?:shit|crap|hell|life) out of",
)
_BAG = _words(  # words between "I" and the verb in a statement of intent
    "am", "will", "would", "really", "just", "seriously", "literally", "honestly", "actually",
    "so", "totally", "swear", "i", "going", "to", "want", "about", "plan",
    "planning", "need", "intend", "like", "feel", "fucking", "definitely", "been", "thinking",
    "of", "have", "got", "might", "may",
)
_OTHERS = _rx(
    rf"\bi (?:{_BAG} ){{1,6}}{_HARM} {_OBJ}",
    rf"\b(?:going|want|about|plan|planning|need) to (?:{_BAG} ){{0,3}}{_HARM} {_OBJ}",
    rf"(?:^|[.!?,] )(?:{_BAG} ){{1,5}}{_HARM} {_OBJ}",
    rf"\b(?:thinking|thought|fantasi[sz]ing|dreaming) (?:about|of) {_HARM} {_OBJ}",
    rf"\bi (?:{_BAG} ){{1,6}}(?:\w+ ){{0,8}}?(?:and|then) (?:just )?{_HARM} {_OBJ}",
    rf"\b(?:beat|beating|stab|stabbing|choke|choking|kick|kicking|strangle|strangling) {_OBJ}"
    r" to death\b",
    rf"\b{_OBJ} (?:\w+ ){{0,4}}with (?:my|a) (?:fists|bare hands|bat|baseball bat|gun|knife"
    r"|crowbar|hammer)\b",
    r"\b(?:take|taking|took) (?:a|my) (?:bat|baseball bat|hammer|crowbar|knife|gun) to"
    r" (?:him|her|them|his|their)\b",
    r"\bgo(?:ing)? after (?:his|her|their) (?:family|kids|children|wife|husband)\b",
    rf"\bpoison(?:ing)? (?:{_OBJ}|(?:his|her|their) (?:food|drink|coffee|tea|water))",
    rf"\bwant {_OBJ} dead\b",
    r"\b(?:wish|hope) (?:he|she|they) (?:was|were|would) (?:dead|die)\b|\bhope (?:he|she) dies\b",
    rf"\bmake {_OBJ} (?:pay|suffer|regret it)\b.{{0,80}}?\b(?:physically|blood|bleed"
    r"|black and blue|in the hospital)",
    rf"\bphysically make {_OBJ} (?:pay|suffer)\b",
    r"\b(?:bring|bringing|brought|take|taking|carry|carrying|pack|packing|grab|grabbing"
    r"|show up with|come in with|walk in with) (?:a |my |the |\w+'s )?(?:loaded )?"
    r"(?:gun|knife|rifle|pistol|shotgun|weapon|machete|glock|blade)",
    r"\bknock (?:his|her|their) (?:teeth|lights) out\b",
    r"\b(?:break|smash|bash|kick) (?:his|her|their) (?:neck|legs|face|jaw|nose|arms?|skulls?"
    r"|head|teeth)",
    r"\bhands (?:around|round|on) (?:his|her|their) (?:throat|neck)",
    r"\bmake sure (?:he|she|they) (?:never|can not|will not)\b[^?]{0,60}\b(?:permanently"
    r"|for good)\b",
    rf"\bmake {_OBJ} bleed\b|\b(?:see|watch) {_OBJ} (?:bleed|die)\b",
    r"\b(?:rifle|gun|pistol|shotgun|weapon|knife)\b.{0,60}\b(?:driving|going|heading|on my way)"
    r" (?:to|over to) (?:their|his|her|the) (?:office|house|home|work|building|place)",
    rf"\brun {_OBJ} over\b",
    # knowing where someone is, said with intent: stalking and means are threats in themselves
    r"\bi know where (?:he|she|they|the (?:\w+ ){0,2}?\w+|\w+) (?:lives|parks|works|sleeps"
    r"|is living|drinks|goes|walks)\b.{0,80}(?:\bto (?:feel|pay|suffer|hurt)|\bregret|\bmake"
    r" (?:him|her|them) (?:pay|sorry|suffer)|\bwait(?:ing)? for (?:him|her|them)|\bwill not be"
    r" to talk)",
    r"\b(?:found|got|have) (?:his|her|their) (?:home )?address\b.{0,80}(?:\bto (?:feel|pay"
    r"|suffer|hurt)|\bregret|\bmake (?:him|her|them) (?:pay|sorry|suffer)|\bwill not be to"
    r" talk|\bnot to talk)",
    r"\b(?:got|have|bought) (?:the|some) (?:petrol|gasoline|lighter fluid|accelerant)\b",
    r"\b(?:bat|baseball bat|knife|gun|crowbar|machete|hammer)(?:'s| is) in the (?:boot|trunk"
    r"|car)\b",
    r"\b(?:torch|torching|burn down|set fire to) (?:his|her|their) \w+",
    r"\bshoot up (?:the|his|her|their) (?:office|place|building|school|meeting)",
    r"\bgo(?:ing)? postal\b",
    r"\bslash (?:his|her|their) tires",
    r"\b(?:burn|set fire to) (?:down )?(?:his|her|their) (?:house|car|office|place)",
)
_SELF = _rx(
    # "the cutting myself" is doing a job oneself (a hedge), not self-harm
    r"(?<!\bthe )\b(?:kill|killing|killed|hurt|hurting|harm|harming|cut|cutting|shoot|shooting"
    r"|hang|hanging|drown|drowning|poison|poisoning|starve|starving|off|offing|burn|burning)"
    r"[.!,]? ?my ?self\b(?! (?:playing|lifting|running|cooking|shaving|skiing|at the gym)\b)",
    r"\bkill\w* \w+ (?:and )?(?:then )?myself\b",
    r"\bself\s*harm",
    r"\bsuicidal",
    r"\bend(?:ing)? (?:my (?:own )?life|it all|everything(?! with\b)|myself"
    r"|it (?:tonight|today|now|for good))\b",
    r"\btak(?:e|ing) my (?:own )?life\b(?! (?:back|in|into|more)\b)",
    r"\b(?:commit|committing|thinking (?:about|of)|thought (?:about|of)|consider|considering"
    r"|considered|contemplating|planning|plan|attempt|attempted|attempting|researching)"
    r" (?:\w+ ){0,2}suicide\b",
    r"\bsuicide (?:note|letter|plan|attempt|crossed my mind"
    r"|(?:is|seems|feels|looks) (?:like )?(?:the|my) (?:only|best|last|answer|way))",
    r"\b(?:want|wanted|wanting|wish|wishing|ready|deserve|deserved|longing|hoping|hope|pray"
    r"|praying|like) (?:i (?:could|would|will|can) |to |i )?(?:just )?(?:die|be dead)\b",
    r"\bi (?:\w+ ){0,2}?(?:should|might as well|better) (?:just )?(?:die|be dead)\b",
    r"\bfeel like dying\b|\bthoughts (?:of|about) (?:dying|death|suicide|ending it|killing)",
    r"\bthinking (?:about|of) (?:dying|death)\b|\bways to (?:end it|die|kill myself|do it)\b",
    r"\bthinking (?:about|of) (?:\w+ ){0,2}?end(?:ing)? it\b(?! with\b)",
    r"\bthinking (?:about|of) jumping\b(?! (?:ship|in|into|at|on|to|the gun|through)\b)",
    r"\bi (?:do not|never|will not|would not) wake up\b"
    r"(?! (?:early|in time|on time|before|till)\b)",
    r"\b(?:staring|looking) at (?:the |my |a )?(?:pills|rope|noose|razor|gun|rifle|ledge)\b",
    r"\b(?:use|using) (?:it|the gun|a gun|the knife|a knife|them|the pills) on myself\b",
    r"\bcheck(?:ing)? out (?:for good|permanently|forever|of life)\b",
    r"\b(?:was|were|be|am) not alive\b",
    r"\b(?:death|dying|suicide|ending it|killing myself) (?:is|feels|seems|looks) (?:like )?(?:the"
    r"|my) (?:only|best|last) (?:option|way|answer|choice|way out)",
    r"\bonly (?:option|way out|answer|choice) is (?:to )?(?:die|death|suicide|end it|kill myself)",
    r"\bsleep and (?:not|never) (?:come back|wake)",
    r"\b(?:picturing|imagining|planning) my (?:own )?funeral\b",
    r"\b(?:going to|will|plan to|want to|ready to|about to) (?:just )?jump\b(?! (?:on|in|into|at"
    r"|ship|to|through|the gun|start|right|back|over|up|down|ahead|aboard|for|off the)\b)",
    r"\b(?:wrote|written|writing|left) (?:a|my) (?:note|letter)s? (?:for|to) (?:my )?(?:wife"
    r"|husband|kids|family|mom|dad|parents|children|partner)\b.{0,20}\bin case\b",
    r"\bcan not live with myself\b",  # guilt, often; we would rather ask
    r"\bi (?:think i |am going to |will |might |may )(?:just )?die (?:tonight|today|soon|this)",
    r"\bi will not be (?:here|around|alive) (?:tomorrow|next week|by)\b",
    r"\bwant to (?:just )?be gone\b(?! (?:by|from|before|for|at|on|until)\b)",
    r"\b(?:want|need) (?:it|this|everything|it all|the pain) to (?:end|stop)\W+(?:permanently"
    r"|forever|for good)",
    r"\brather be dead\b",
    r"\bbetter off (?:dead|without me|if i (?:\w+ ){0,2}(?:gone|dead|died|here|around|exist"
    r"|existed|alive|disappeared|in it|born)\b)",
    r"\bwish i (?:was|were|had been|would be) (?:dead|never born|gone)",
    r"\bwish i (?:had )?never (?:been|was) born",
    r"\bwish i did not exist",
    r"\bstop (?:existing|living|breathing)\b|\bwant to (?:just )?not exist|\bnot be alive\b",
    r"\b(?:going to|decided to|will|want to|plan to|ready to|about to) (?:just )?end it"
    r"(?! (?:with|here|there|for today|at|early|now)\b)",
    r"\b(?:wish|hope|hoping|pray) (?:a|the|some|something|someone) (?:\w+ ){0,2}?(?:would|will"
    r"|could) (?:just )?(?:hit|kill|run over) me\b",
    r"\bthis is (?:my )?(?:goodbye|farewell)\b(?! to\b)|\bgoodbye (?:everyone|forever|world)\b",
    r"\bend (?:it|things|everything|myself) (?:permanently|for good|forever)\b",
    r"\b(?:want|wish|could|like|just|going) (?:to )?(?:\w+ ){0,3}?disappear"
    r" (?:forever|for good|permanently)",
    r"\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on|be alive|being alive"
    r"|stay alive|staying alive)\b",
    r"\bnothing (?:left )?to live for\b",
    r"\bnot worth living\b",
    r"\b(?:life|living) (?:is|feels|seems) (?:not worth (?:it|living)|pointless|meaningless)\b",
    r"\bwhat is the point (?:of|in) (?:living|life|being alive|going on)\b",
    r"\bdo not want to (?:live|be alive|exist|be here anymore|be around anymore|wake up)\b"
    r"(?! (?:here|there|in|with|near|at|on|like that|somewhere|early)\b)",
    r"\bcan not (?:go on|keep living like this|live like this)"
    r"(?: like this| anymore| living| any longer)*(?=$|[.!?,;]| i\b)",
    r"\b(?:hope|hoping|wish|want|pray) (?:i |to )?(?:do not|never|will not|would not|not)"
    r" wake up",
    r"\bnever want to wake up",
    r"\b(?:sleep|fall asleep|go to sleep) and (?:never|not) wake up",
    r"\boverdos(?:e|ed|ing)\b|\bod on\b",
    r"\b(?:stockpil|hoard|collect)\w* (?:\w+ ){0,2}(?:pills|meds|medication|tablets)",
    r"\b(?:pills|meds) saved up\b|\bsaving up (?:my )?(?:pills|meds)",
    r"\b(?:take|taking|swallow|swallowing|took) (?:all|every|every one of|a (?:whole )?bottle"
    r" of|a handful of) (?:\w+ ){0,2}(?:pills?|meds|tablets?|medication)",
    r"\bjump(?:ing)? (?:off|from|in front of) (?:a|the|my) (?:\w+ )?(?:bridge|roof|building"
    r"|balcony|cliff|train|window)",
    r"\bstep in front of (?:a|the) (?:train|bus|truck|car)",
    r"\bslit my wrists?",
    r"\b(?:yeet|yeeting|throw|throwing|hurl|hurling|fling|flinging) myself (?:off|in front of"
    r"|under|from|out of)\b",
    r"\b(?:bullet|gun) (?:in|to) my (?:head|mouth)",
    # the screen squeezes repeats ("noose" reads "nose"), so a noose is known by what is done
    r"\b(?:tie|tied|tying|made|make|making|bought|buy|got|have|rigged|hung|hang) (?:up )?"
    r"(?:a |the |my )?noose\b|\bnoose (?:is |was )?(?:ready|up|hanging|in the)\b",
    r"\b(?:drive|drove|driving|crash|crashing) (?:my car )?(?:into|off) (?:a|the) (?:wall|tree"
    r"|bridge|cliff|river|traffic|road|barrier|truck)\b|\binto (?:oncoming )?traffic\b",
    r"\b(?:started|am|been|was) cutting again\b",
    r"(?<!the )\bcutting (?:myself|my (?:arms?|wrists?|legs?))",
    r"\b(?:cut|slashed|scratched|burned|burnt) (?:my|both) (?:arms?|wrists?|legs?|thighs?|skin)\b",
    r"\b(?:hit|hitting|punch|punching|slap|slapping|bite|biting) myself\b",
    r"\b(?:might|could|will|would|going to) do (?:something )?to myself\b",
    r"\b(?:no one|nobody) would (?:even )?(?:miss me|care if i|notice if i)",
    r"\bi will not be (?:around|here|a (?:problem|burden)) (?:much longer|for (?:much )?long)",
    r"\b(?:goodbye|farewell) (?:note|letter)s?\b",
    r"\b(?:give up on|giving up on|gave up on|done with|tired of) (?:life|living|being alive"
    r"|existing)\b",
)
_WEAK = _rx(  # hopelessness: trips only with more of it, in this message or an earlier one
    r"\b(?:do not|can not) see (?:the|any) point\b|\b(?:do not|can not) see (?:a|any) way out",
    r"\bwhat is the point(?: anymore| of anything| of it all| in anything)?(?=$|[.!?])",
    r"\bno point (?:anymore|in anything)",
    r"\bwant (?:it|this|everything|it all|all of (?:it|this)|the pain|the thoughts) to"
    r" (?:stop|end|be over|go away)",
    r"\bmake (?:it|everything|the pain) (?:all )?stop\b",
    r"\bcan not (?:take|do|handle|bear|stand) (?:it|this|any of this|life)\b",
    r"\b(?:hopeless|worthless|pointless|no way out|a burden|nothing matters|empty inside"
    r"|nothing will (?:ever )?(?:change|get better)|never going to get better)\b",
    r"\b(?:tired of|done with|give up on) everything\b|\bmy life is over\b",
    r"\b(?:disappear|vanish|sleep forever)\b",
    r"\bi (?:have|have got|bought|got|own|keep) (?:a |my |the |some |enough )?"
    r"(?:gun|pills|rope|razors?|razor blades|blades)\b",
    r"\bend(?:ing)? (?:it|things)\b(?! with\b)",
    r"\bsuicide\b",
    r"\bgiving away my (?:stuff|things|belongings)",
    r"\b(?:gun|knife|pills) in the house\b",
    r"\b(?:the world|anyone|nobody|no one|everyone) (?:does not|would not|will not) (?:need|want)"
    r" me\b|\bnobody (?:needs|wants) me\b",
    r"\bgo away and (?:not|never) come back\b",
    r"\bplanning how i (?:would|will|could|am going to) do it\b|\bpicked (?:a|the) date\b",
    r"\bnobody cares (?:about me|if i)",
)
_NEGATION = _rx(  # "not", "never" or "no" shortly before, with only these words between
    r"\b(?:not|never|no) (?:(?:want|wanting|going|to|be|been|being|feeling|feel|am|is|really"
    r"|ever|actually|thinking|think|about|of|planning|plans?|trying|intend|intending"
    r"|intentions?|desire|urge|at|all|would|will|do|did|have|had|got|even|in|any|danger|way"
    r"|i|a|the|so|that|ready)\b ){0,4}$"
)
_DOUBT = _rx(r"\bnot sure\b", r"\bdo not know (?:if|whether)\b", r"\bcan not (?:promise|say)\b")
_CLAUSE = _rx(r"[.!?;:,]", r"\b(?:but|and|so|though|although|yet|because)\b")
_SENTENCE = re.compile(r"[.!?;]")
_SUBJECT = re.compile(r"\b(i|me|we)\b|\b(she|he|they)\b(?= (?:is|was|has|had|have|are|were|been"
                      r"|keeps?|feels?|felt|might|could|would|will|wants?) |')")
_SAFE = _rx(
    r"\bi am (?:\w+ )?safe\b",
    r"\b(?:yes|yeah|yep|yup)\b.{0,20}\bsafe\b",
    r"^(?:yes|yeah|yep|yup|i am|i am now|yes i am)\W*$",
    r"\bnot in (?:any )?danger\b",
    r"\b(?:not|never) (?:going to |want to |planning to )?(?:kill|hurt|harm|end)\b",
    r"\bnot suicidal\b",
    r"\bnot literally\b|\bfigure of speech\b|\b(?:did not|do not) mean (?:it|that) literally\b",
    r"\b(?:was|am|i) (?:just |only )?(?:exaggerating|joking|kidding|venting|being dramatic"
    r"|speaking figuratively)",
)
_UNSAFE = _rx(r"\bnot (?:\w+ )?safe\b", r"\bunsafe\b", r"(?<!not )\bin danger\b")


# Words the rules hinge on, as squeezed: a word one slip away is read as that word
# ("myslef", "sucide", "suicdal"); only long words, whose near neighbours are not English words.
_KEY_WORDS = ("myself", "suicide", "suicidal", "overdose", "wrists", "razor", "razors")
_LONG_WORD = re.compile(r"[a-z]{5,}")


def _one_slip(a: str, b: str) -> bool:
    """Whether a and b differ by one letter added, dropped, changed or two swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return (a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:]
            or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]))


def _spelled(word: re.Match[str]) -> str:
    return next((k for k in _KEY_WORDS if _one_slip(word[0], k)), word[0])


def _unleet(word: re.Match[str]) -> str:
    """ "k1ll" -> "kill", "$uicide" -> "suicide"; a "!" or "|" only between letters ("k!ll")."""
    return re.sub(r"(?<=[a-z])[!|](?=[a-z])", "i", word[0]).translate(_LEET)


def cache_clear() -> None:
    """Forget every message read so far (benchmarks of a process that has not seen them)."""
    for cached in (normalize, _plain, says_safe):
        cached.cache_clear()


# Each turn re-reads the last WINDOW messages: cache by text, so each is read once per session.
@lru_cache(maxsize=256)
def normalize(text: str) -> str:
    """The text as the screen reads it: plain lowercase words, repeats squeezed, idioms out."""
    return _SQUEEZE.sub(r"\1", _figures_out(_plain(text)))


@lru_cache(maxsize=256)
def _plain(text: str) -> str:
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")  # zero-width, bidi marks
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _QUOTED.sub(" a quote ", re.sub(r"[-_~]+", " ", text))
    text = _SPACED.sub(lambda m: re.sub(r"[ .*]", "", m[0]), text)
    text = _TOKEN.sub(_unleet, text)
    text = _SQUEEZE.sub(r"\1", re.sub(r"\s+", " ", text).strip())
    text = _LONG_WORD.sub(_spelled, text)
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    return text


def _figures_out(text: str) -> str:
    for pattern, repl in _FIGURES:
        text = pattern.sub(repl, text)
    return text


def recovered(message: str) -> bool:
    """Whether the message tells of a past struggle that is over ("years ago... I'm fine now")."""
    text = _plain(message)
    return bool(_PAST.search(text) and _RECOVERED.search(text) and not _NOW.search(text))


def besides_denial(message: str) -> str:
    """The message without its clauses that say the person is safe ("I'm not suicidal"),
    or "" when nothing else is said."""
    clauses = re.split(r"(?<=[.,;!?])\s+", message)
    return " ".join(c for c in clauses if not says_safe(c)).strip()


def unfigured(message: str) -> str:
    """The message with its known figures of speech in neutral words, for the embedding
    layer ("I'd rather walk away than go back"); the message itself when it has none."""
    text = _plain(message)
    neutral = _figures_out(text)
    return message if neutral == text else neutral


def figurative(message: str) -> bool:
    """Whether the message uses a known figure of speech ("this deal is killing me")."""
    text = _plain(message)
    return bool(_FIGURATIVE.search(text)) or _figures_out(text) != text


def _negated(text: str, start: int, end: int) -> bool:
    prefix = text[:start]
    clause = prefix[max((m.end() for m in _CLAUSE.finditer(prefix)), default=0) :]
    if _DOUBT.search(clause) or re.match(r" (?:more|so much|this much)\b", text[end:]):
        return False  # "not sure I won't...", "never wanted to die more than now"
    return bool(_NEGATION.search(clause))


def _theirs(text: str, start: int) -> bool:
    """Whether the clause's last subject before `start` is someone else ("she's suicidal")."""
    prefix = text[:start]
    clause = prefix[max((m.end() for m in _SENTENCE.finditer(prefix)), default=0) :]
    subjects = [m.lastindex for m in _SUBJECT.finditer(clause)]
    return bool(subjects) and subjects[-1] == 2


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text) if not _negated(text, *m.span())]


def _own_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The spans said of oneself: another person's news ("my friend says she's suicidal")
    is told by someone who is not at risk; the embedding layer still reads the whole."""
    return [(a, b) for a, b in _spans(pattern, text) if not _theirs(text, a)]


def _strong(text: str, after: int = 0) -> Risk | None:
    """The risk of an explicit statement in text that ends past offset `after`."""
    if any(end > after for _, end in _own_spans(_SELF, text)):
        return "self_harm"
    if any(end > after for _, end in _spans(_OTHERS, text)):
        return "harm_to_others"
    return None


def screen(messages: Sequence[str]) -> Risk | None:
    """The risk in the person's recent messages (oldest first), judged for the newest one.

    `messages` are the person's own messages only (not the coach's), newest last; the caller
    keeps safe mode once this trips, so a later off-topic message returning None is expected.
    Trips on an explicit statement in the newest message or one split across the last two,
    and on hopelessness in the newest message when the same message or an earlier one in
    the window holds more of it. Messages before an "I'm safe" no longer give context, so a
    resumed conversation is not flagged again for what was already handled.
    """
    recent = since_safe(list(messages)[-WINDOW:])
    if not recent:
        return None
    texts = [normalize(m) for m in recent]
    newest, context = texts[-1], texts[:-1]
    joined = f"{context[-1]} {newest}" if context else newest
    cut = len(joined) - len(newest)
    risk = _strong(joined, after=cut)
    if risk:
        return risk
    weak_now = [s for s in _spans(_WEAK, joined) if s[1] > cut]
    earlier = any(_spans(_WEAK, t) or _spans(_SELF, t) for t in context)
    if len(weak_now) >= 2 or (weak_now and earlier):
        return "self_harm"
    return None


def since_safe(recent: list[str]) -> list[str]:
    """The messages after the last "I'm safe" (not counting the newest), which no longer count."""
    for i in range(len(recent) - 2, -1, -1):
        if says_safe(recent[i]):
            return recent[i + 1 :]
    return recent


@lru_cache(maxsize=256)
def says_safe(message: str) -> bool:
    """Whether the person says they are safe now, not in danger, or were speaking figuratively.

    Meant for turns in safe mode, where the coach's last question was "are you safe right
    now?", so a bare "yes" counts; a bare "I'm fine" does not, since it is the usual brush-off.
    """
    text = normalize(message)
    if not text or _UNSAFE.search(text) or screen([message]):
        return False
    return bool(_SAFE.search(text))


def hopeless(message: str) -> bool:
    """Whether the message holds a phrase of hopelessness (see `hopeless_alone` for a check-in)."""
    return bool(_spans(_WEAK, normalize(message)))


_ABOUT_DEAL = _rx(r"\b(?:negotiation|meeting|offer|deal|pitch|client|contract|proposal|call"
                  r"|email|interview|raise|ghost\w*|buyer|landlord|investor|recruiter)s?\b")


def hopeless_alone(message: str) -> bool:
    """A hopeless phrase that is not said of the deal ("this negotiation feels hopeless")."""
    return hopeless(message) and not _ABOUT_DEAL.search(normalize(message))


_NOT_ABOUT_LIFE = _rx(
    r"^(?:no|nope|nah|no no|god no|oh no|not at all|not really|of course not|definitely not"
    r"|absolutely not|hell no)\b(?!.*\b(?:but|sometimes|maybe|not sure|kind of|a bit|a little"
    r"|both|do not know|i guess)\b)",
    r"\b(?:just|only|mean|meant|talking about|it is|it was|about) (?:the|this|that|my) (?:deal"
    r"|job|offer|client|contract|negotiation|pitch|raise|account|project|work|rejection"
    r"|situation|buyer|company|role)\b",
    r"\bnot (?:like )?that\b|\bnot (?:about )?(?:my )?life\b|\bnot (?:thinking|having thoughts)"
    r" (?:about|of) (?:that|dying|ending|suicide|hurting)",
)


def not_about_life(message: str) -> bool:
    """Whether an answer to the check-in says it was about the deal, not about living.

    "no", "no, just the deal", "I meant the job", "not like that"; never when the same
    answer holds risk, doubt ("no... maybe", "I don't know") or a "but".
    """
    text = normalize(message)
    if not text or _UNSAFE.search(text) or screen([message]) or hopeless(message):
        return False
    if re.search(r"\b(?:yes|yeah|yep|maybe|sometimes|kind of|a bit|not sure|do not know|both"
                 r"|i guess|sort of)\b", text):
        return False
    return bool(_NOT_ABOUT_LIFE.search(text)) or says_safe(message)


_AFFIRM = _rx(
    r"^(?:yes|yeah|yep|yup|ya|maybe|sometimes|kind of|sort of|a bit|a little|i think so"
    r"|i guess|i do not know|not sure|both|honestly yes|i am|i have|i do|often|lately)\b",
    r"\b(?:thoughts|thinking|thought) (?:of|about) (?:dying|not being (?:alive|here)|ending"
    r"|killing|hurting)\b",
)


def affirms(message: str) -> bool:
    """Whether an answer to the check-in says yes, or is unsure ("maybe", "I don't know")."""
    text = normalize(message)
    return bool(text) and not not_about_life(message) and bool(_AFFIRM.search(text))
