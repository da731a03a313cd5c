"""Customer signals the escalation core reads: human request (``human_request``), sentiment
(``sentiment``), rephrase (``rephrase``); the bundle handed to the core is ``pipelines.escalation.bundle``."""
