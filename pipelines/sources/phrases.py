"""Word material for the simulator: customer utterances per intent (several paraphrases each),
ways of asking for a human, hard negatives, sentiment-laden turns, bot replies and PII pools.

All of it is synthetic and written for loopline; no customer data.
"""

from __future__ import annotations

#: Paraphrases of the opening request, per intent (same-intent lines restate one request).
UTTERANCES: dict[str, tuple[str, ...]] = {
    "opening_hours": (
        "what time do you open tomorrow",
        "are you open on sundays",
        "when does the branch close today",
        "what are your opening hours this weekend",
    ),
    "branch_locator": (
        "where is the nearest branch",
        "is there an atm close to the station",
        "find me a branch near my postcode",
        "which of your offices is closest to me",
    ),
    "exchange_rate": (
        "what is the euro exchange rate today",
        "how many dollars do I get for 100 pounds",
        "what rate do you give for yen",
        "tell me the current exchange rate for swiss francs",
    ),
    "app_how_to": (
        "how do I turn on notifications in the app",
        "where can I find my statements in the app",
        "how do I set up face id for the app",
        "the app menu is confusing, how do I add a payee",
    ),
    "product_info": (
        "what are the fees on the premium account",
        "does the gold card include travel insurance",
        "tell me about your savings accounts",
        "what interest does the easy saver pay",
    ),
    "delivery_status": (
        "where is my new card, it has not arrived",
        "my order still hasn't been delivered",
        "when will the replacement card get here",
        "can you track the parcel you sent me",
    ),
    "balance_inquiry": (
        "what is my current balance",
        "how much money do I have available",
        "can you tell me what's left in my account",
        "check my balance please",
    ),
    "change_address": (
        "I moved house and need to update my address",
        "please change the address on my account",
        "how do I tell you my new home address",
        "my postal address is wrong, I want to fix it",
    ),
    "reset_password": (
        "I forgot my password",
        "I am locked out of online banking",
        "how do I reset my login details",
        "my password does not work anymore",
    ),
    "card_activation": (
        "how do I activate my new card",
        "my new card needs activating",
        "the card you sent isn't active yet",
        "I want to switch on the card that just arrived",
    ),
    "top_up": (
        "how do I add money to my account",
        "I want to top up my balance",
        "can I put cash into my account at a shop",
        "my top up by card did not go through",
    ),
    "transfer_status": (
        "my transfer has not reached the other account",
        "where is the money I sent yesterday",
        "the payment to my landlord hasn't arrived",
        "how long does an international transfer take, mine is still missing",
    ),
    "order_return": (
        "I want to return the item I bought",
        "how do I cancel my order",
        "can I send this back for a refund",
        "I need to return a faulty product",
    ),
    "update_contact_details": (
        "I have a new phone number",
        "please update my email address",
        "change the mobile number on my account",
        "my contact details are out of date",
    ),
    "billing_dispute": (
        "there is a charge on my bill I don't recognise",
        "you charged me twice for the same month",
        "my bill is much higher than it should be",
        "I am disputing this payment on my statement",
    ),
    "refund_request": (
        "I want my money back",
        "when will I get my refund",
        "please refund the fee you charged me",
        "I was promised a refund and never got it",
    ),
    "card_declined": (
        "my card was declined at the shop",
        "why does my card keep getting rejected",
        "the payment failed even though I have money",
        "my card didn't work at the petrol station",
    ),
    "pending_transaction": (
        "a payment has been pending for days",
        "why is this transaction still pending",
        "the purchase shows as pending and hasn't cleared",
        "how long will the pending payment take to go through",
    ),
    "plan_change": (
        "I want to upgrade my plan",
        "can I switch to a cheaper package",
        "downgrade my subscription please",
        "what happens if I change my plan mid month",
    ),
    "cancel_account": (
        "I want to close my account",
        "please cancel my contract",
        "how do I end my membership with you",
        "I'd like to shut down my account completely",
    ),
    "direct_debit_issue": (
        "my direct debit was taken twice",
        "a standing order didn't go out",
        "cancel the direct debit to my old gym",
        "the direct debit amount is wrong",
    ),
    "fraud_report": (
        "there are payments on my account I did not make",
        "I think someone is using my card",
        "I have been scammed and money was taken",
        "unauthorised transactions appeared overnight",
    ),
    "lost_or_stolen_card": (
        "my card was stolen",
        "I lost my wallet with my card in it",
        "please block my card, I can't find it",
        "someone took my bag and my card was inside",
    ),
    "identity_theft": (
        "someone opened an account in my name",
        "my identity has been stolen",
        "a loan was taken out using my details",
        "somebody is pretending to be me",
    ),
    "bereavement": (
        "my husband passed away and I need to sort his account",
        "I am calling about my late mother's account",
        "what do I do with the account of someone who died",
        "my father died last week and his bills are still coming",
    ),
    "financial_hardship": (
        "I can't afford my repayments this month",
        "I lost my job and I'm behind on payments",
        "I'm in debt and need help with my loan",
        "I won't be able to pay my bill, what can I do",
    ),
    "formal_complaint": (
        "I want to make a formal complaint",
        "I'm unhappy with the service and want to complain officially",
        "how do I escalate a complaint about your staff",
        "I want to raise a complaint with the ombudsman",
    ),
    "loan_application": (
        "I want to apply for a loan",
        "can I borrow ten thousand for a car",
        "what loan could I get with my income",
        "I'd like to discuss a mortgage application",
    ),
    "data_privacy_request": (
        "I want a copy of all the data you hold on me",
        "delete my personal data please",
        "I am making a subject access request",
        "stop processing my personal information",
    ),
    "out_of_scope": (
        "can you recommend a good restaurant",
        "blorp the thing with the stuff",
        "what's the meaning of life",
        "help me with my homework",
    ),
}

#: Explicit requests for a human, in many words (typos are added by the simulator).
HUMAN_REQUESTS: tuple[str, ...] = (
    "can I speak to someone please",
    "I want to talk to a real person",
    "get me a human",
    "operator",
    "agent please",
    "let me speak to an agent",
    "transfer me to a representative",
    "is there someone who can actually help me",
    "I need to talk to a person not a bot",
    "put me through to customer service",
    "stop, I want a human being",
    "can I have a real person on the line",
    "connect me with a live agent",
    "human please",
    "I'd rather speak with a member of staff",
    "this bot is useless, give me someone real",
    "can a person call me back",
    "I want to speak to your manager",
    "representative",
    "talk to human",
    "I need an actual person to look at this",
    "pls get me someone to talk to",
    "could you pass me to one of your colleagues",
    "I demand to speak to a human",
)

#: Look like a human request, are not one.
HUMAN_REQUEST_HARD_NEGATIVES: tuple[str, ...] = (
    "your agent was great last time",
    "how do I become an agent",
    "I talked to a person yesterday and it was sorted",
    "the representative I spoke to gave me this reference",
    "is a human reading this? just curious",
    "my agent at the estate agency needs a letter from you",
    "thanks, no need for a person, that answered it",
    "the person at the branch said to use the app",
    "are you hiring customer service staff",
    "I'm a travel agent, can I pay for clients",
)

NEGATIVE_TURNS: tuple[str, ...] = (
    "this is ridiculous, nothing you say helps",
    "I am so angry, this is the third time I've asked",
    "you are completely useless",
    "this is a disgrace, I'm furious",
    "I'm fed up and really upset with your service",
    "terrible service, I'm sick of this",
    "why is this so hard, I'm losing my patience",
    "awful, just awful, I hate this",
)

MILD_NEGATIVE_TURNS: tuple[str, ...] = (
    "hmm that's a bit annoying",
    "ok, slightly disappointing but fine",
    "not ideal but I understand",
)

NEUTRAL_TURNS: tuple[str, ...] = (
    "ok",
    "sure",
    "let me check",
    "one moment",
    "yes that's right",
    "I see",
)

POSITIVE_TURNS: tuple[str, ...] = (
    "great, thanks a lot",
    "perfect, that's really helpful",
    "thank you, that solved it",
    "brilliant, cheers",
)

BOT_REPLIES: dict[str, str] = {
    "answer": "Here is what I found for you.",
    "clarify": "Just to be sure, do you mean {a} or {b}?",
    "slot": "Could you confirm your {slot}?",
    "sorry": "I'm sorry, I didn't quite get that. Could you say it another way?",
    "handoff": "I'm connecting you with a colleague who can help.",
}

FIRST_NAMES = (
    "Olivia", "Liam", "Amara", "Noah", "Priya", "Mateo", "Chen", "Fatima", "Lucas", "Ingrid",
    "Kwame", "Sofia", "Hiroshi", "Aisha", "Jonas", "Elena", "Ravi", "Maeve", "Tomasz", "Leila",
)
LAST_NAMES = (
    "Okafor", "Schmidt", "Patel", "Garcia", "Nguyen", "Kowalski", "Murphy", "Rossi", "Haddad",
    "Johansson", "Silva", "Tanaka", "Brown", "Dubois", "Ivanova", "Mensah", "Kaur", "Walsh",
)
STREETS = (
    "Maple Avenue", "High Street", "Church Road", "Elm Street", "Station Road", "Park Lane",
    "Victoria Road", "Oak Drive", "Mill Lane", "Cedar Court",
)
CITIES = ("Springfield", "Leeds", "Munich", "Austin", "Pune", "Brisbane", "Bristol", "Denver")
EMAIL_DOMAINS = ("example.com", "mail.example.org", "inbox.example.net")

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: One request, restated: what a customer types when the bot did not understand them the first time.
#: Each tuple is four wordings of the SAME request (for the rephrase scenario).
REPHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "opening_hours": (("what time do you open tomorrow", "when do you open in the morning tomorrow",
                       "tomorrow, what's your opening time", "I need to know when you open tomorrow"),),
    "branch_locator": (("where is the nearest branch", "which branch is closest to me",
                        "find the branch nearest to where I am", "I'm looking for your closest branch"),),
    "exchange_rate": (("what is the euro exchange rate today", "how much is one euro worth today",
                       "today's rate for euros please", "what rate do you give for euros today"),),
    "app_how_to": (("how do I add a payee in the app", "where in the app can I add a new payee",
                    "adding a payee in the app, how", "I can't work out how to add a payee on the app"),),
    "product_info": (("what are the fees on the premium account", "how much does the premium account cost",
                      "premium account fees?", "tell me what the premium account charges"),),
    "delivery_status": (("where is my new card", "my new card still hasn't arrived, where is it",
                         "has my card been sent yet", "I'm still waiting for the card you posted"),),
    "balance_inquiry": (("what is my current balance", "how much is in my account right now",
                         "tell me my balance", "what's my account balance at the moment"),),
    "change_address": (("I need to update my address", "please change my home address",
                        "my address has changed, can you update it", "I moved, change the address on file"),),
    "reset_password": (("I forgot my password", "I can't remember my password, how do I reset it",
                        "reset my password please", "my password is gone, I need a new one"),),
    "card_activation": (("how do I activate my new card", "activate the card I just got",
                         "my new card isn't working yet, how do I turn it on", "I need to activate my card"),),
    "top_up": (("I want to top up my account", "how can I add money to my account",
                "put money into my account please", "I need to load funds onto my account"),),
    "transfer_status": (("my transfer hasn't arrived", "the money I sent hasn't reached the other account",
                         "where is my transfer", "my payment to my landlord never got there"),),
    "order_return": (("I want to return my order", "how do I send my order back",
                      "I'd like to return what I bought", "return this order please"),),
    "update_contact_details": (("I need to change my phone number", "update my mobile number please",
                                "my phone number is different now", "can you change the number on my account"),),
    "billing_dispute": (("I was charged twice this month", "you took the same payment two times",
                         "there's a double charge on my bill", "why did you bill me twice"),),
    "refund_request": (("I want a refund", "give me my money back please",
                        "I'd like to be refunded", "can I get a refund for this"),),
    "card_declined": (("my card was declined", "my card got rejected at the shop",
                       "why won't my card work", "the payment with my card keeps failing"),),
    "pending_transaction": (("my payment is still pending", "why is this transaction pending for days",
                             "the payment hasn't cleared, it's stuck on pending", "pending payment not going through"),),
    "plan_change": (("I want to change my plan", "switch me to a different plan",
                     "can I move to another plan", "I'd like a different package"),),
    "cancel_account": (("I want to close my account", "close my account please",
                        "how do I shut my account", "I'd like to cancel my account"),),
    "direct_debit_issue": (("my direct debit was taken twice", "the direct debit came out two times",
                            "you collected my direct debit twice", "double direct debit payment this month"),),
}
