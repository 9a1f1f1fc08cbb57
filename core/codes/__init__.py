"""National identifier and code-table rules, as pure functions (no database, no network).

Modules: ``uscc`` (GB 32100 / GB 11714), ``idcard`` (GB 11643), ``regions`` (GB/T 2260),
``industries`` (GB/T 4754-2017), ``tables`` (代码集), ``trade_codes`` (platform, project, section
and 统一交易标识码), ``iso7064`` (check characters). Every refusal is a ``errors.CodeError`` with
a stable code and a Chinese and an English message.
"""
