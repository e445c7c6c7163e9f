"""The wider universe beyond the ten well-known instruments: a few hundred plausible contracts
so that symbol search and contract lookups behave like the real thing.

Generated deterministically from fixed tables (no randomness by date), each with its own
tick size, price level, depth lot and volatility. Futures come in several months; a query
without an expiry matches them all, as at TWS.
"""

from __future__ import annotations

import datetime as dt
import zlib

from tui.core.contracts import Contract, ContractSpec
from tui.sim.market.instruments import _MONTH_CODES, Instrument, _third_friday

# symbol, name, primary exchange, price, industry
STOCKS = [
    ("GOOGL", "ALPHABET INC-CL A", "NASDAQ", 171.2, "Communications"),
    ("GOOG", "ALPHABET INC-CL C", "NASDAQ", 172.4, "Communications"),
    ("META", "META PLATFORMS INC-CLASS A", "NASDAQ", 563.1, "Communications"),
    ("NFLX", "NETFLIX INC", "NASDAQ", 745.3, "Communications"),
    ("AMD", "ADVANCED MICRO DEVICES", "NASDAQ", 142.8, "Technology"),
    ("INTC", "INTEL CORP", "NASDAQ", 22.9, "Technology"),
    ("AVGO", "BROADCOM INC", "NASDAQ", 167.3, "Technology"),
    ("QCOM", "QUALCOMM INC", "NASDAQ", 158.2, "Technology"),
    ("ORCL", "ORACLE CORP", "NYSE", 178.6, "Technology"),
    ("CRM", "SALESFORCE INC", "NYSE", 289.4, "Technology"),
    ("ADBE", "ADOBE INC", "NASDAQ", 497.7, "Technology"),
    ("CSCO", "CISCO SYSTEMS INC", "NASDAQ", 57.2, "Technology"),
    ("IBM", "INTL BUSINESS MACHINES CORP", "NYSE", 208.1, "Technology"),
    ("TXN", "TEXAS INSTRUMENTS INC", "NASDAQ", 201.5, "Technology"),
    ("MU", "MICRON TECHNOLOGY INC", "NASDAQ", 101.3, "Technology"),
    ("AMAT", "APPLIED MATERIALS INC", "NASDAQ", 176.4, "Technology"),
    ("PLTR", "PALANTIR TECHNOLOGIES INC-A", "NASDAQ", 61.8, "Technology"),
    ("SHOP", "SHOPIFY INC - CLASS A", "NASDAQ", 110.2, "Technology"),
    ("UBER", "UBER TECHNOLOGIES INC", "NYSE", 71.5, "Technology"),
    ("JPM", "JPMORGAN CHASE & CO", "NYSE", 243.1, "Financial"),
    ("BAC", "BANK OF AMERICA CORP", "NYSE", 46.3, "Financial"),
    ("WFC", "WELLS FARGO & CO", "NYSE", 75.9, "Financial"),
    ("GS", "GOLDMAN SACHS GROUP INC", "NYSE", 589.4, "Financial"),
    ("MS", "MORGAN STANLEY", "NYSE", 131.2, "Financial"),
    ("C", "CITIGROUP INC", "NYSE", 69.1, "Financial"),
    ("V", "VISA INC-CLASS A SHARES", "NYSE", 310.5, "Financial"),
    ("MA", "MASTERCARD INC - A", "NYSE", 521.7, "Financial"),
    ("AXP", "AMERICAN EXPRESS CO", "NYSE", 296.3, "Financial"),
    ("BRK B", "BERKSHIRE HATHAWAY INC-CL B", "NYSE", 471.2, "Financial"),
    ("XOM", "EXXON MOBIL CORP", "NYSE", 121.4, "Energy"),
    ("CVX", "CHEVRON CORP", "NYSE", 160.8, "Energy"),
    ("COP", "CONOCOPHILLIPS", "NYSE", 109.7, "Energy"),
    ("OXY", "OCCIDENTAL PETROLEUM CORP", "NYSE", 50.6, "Energy"),
    ("JNJ", "JOHNSON & JOHNSON", "NYSE", 154.1, "Consumer, Non-cyclical"),
    ("PFE", "PFIZER INC", "NYSE", 25.4, "Consumer, Non-cyclical"),
    ("MRK", "MERCK & CO. INC.", "NYSE", 99.8, "Consumer, Non-cyclical"),
    ("LLY", "ELI LILLY & CO", "NYSE", 772.5, "Consumer, Non-cyclical"),
    ("ABBV", "ABBVIE INC", "NYSE", 171.9, "Consumer, Non-cyclical"),
    ("UNH", "UNITEDHEALTH GROUP INC", "NYSE", 593.6, "Consumer, Non-cyclical"),
    ("PG", "PROCTER & GAMBLE CO/THE", "NYSE", 171.3, "Consumer, Non-cyclical"),
    ("KO", "COCA-COLA CO/THE", "NYSE", 63.2, "Consumer, Non-cyclical"),
    ("PEP", "PEPSICO INC", "NASDAQ", 158.4, "Consumer, Non-cyclical"),
    ("WMT", "WALMART INC", "NYSE", 87.6, "Consumer, Cyclical"),
    ("COST", "COSTCO WHOLESALE CORP", "NASDAQ", 912.3, "Consumer, Cyclical"),
    ("HD", "HOME DEPOT INC", "NYSE", 409.2, "Consumer, Cyclical"),
    ("MCD", "MCDONALD'S CORP", "NYSE", 294.1, "Consumer, Cyclical"),
    ("NKE", "NIKE INC -CL B", "NYSE", 76.8, "Consumer, Cyclical"),
    ("SBUX", "STARBUCKS CORP", "NASDAQ", 98.7, "Consumer, Cyclical"),
    ("DIS", "WALT DISNEY CO/THE", "NYSE", 112.6, "Communications"),
    ("BA", "BOEING CO/THE", "NYSE", 153.4, "Industrial"),
    ("CAT", "CATERPILLAR INC", "NYSE", 391.2, "Industrial"),
    ("GE", "GENERAL ELECTRIC", "NYSE", 179.5, "Industrial"),
    ("HON", "HONEYWELL INTERNATIONAL INC", "NASDAQ", 226.8, "Industrial"),
    ("UPS", "UNITED PARCEL SERVICE-CL B", "NYSE", 131.9, "Industrial"),
    ("F", "FORD MOTOR CO", "NYSE", 11.1, "Consumer, Cyclical"),
    ("GM", "GENERAL MOTORS CO", "NYSE", 56.7, "Consumer, Cyclical"),
    ("T", "AT&T INC", "NYSE", 22.8, "Communications"),
    ("VZ", "VERIZON COMMUNICATIONS INC", "NYSE", 42.3, "Communications"),
    ("COIN", "COINBASE GLOBAL INC -CLASS A", "NASDAQ", 298.4, "Financial"),
    ("MSTR", "MICROSTRATEGY INC-CL A", "NASDAQ", 387.2, "Technology"),
]
# symbol, name, primary exchange, price
ETFS = [
    ("QQQ", "INVESCO QQQ TRUST SERIES 1", "NASDAQ", 509.6),
    ("IWM", "ISHARES RUSSELL 2000 ETF", "ARCA", 236.1),
    ("DIA", "SPDR DOW JONES INDUSTRIAL AVRG ETF", "ARCA", 441.3),
    ("VOO", "VANGUARD S&P 500 ETF", "ARCA", 550.2),
    ("VTI", "VANGUARD TOTAL STOCK MKT ETF", "ARCA", 296.8),
    ("GLD", "SPDR GOLD SHARES", "ARCA", 244.7),
    ("SLV", "ISHARES SILVER TRUST", "ARCA", 28.9),
    ("TLT", "ISHARES 20+ YEAR TREASURY BOND ETF", "NASDAQ", 91.4),
    ("HYG", "ISHARES IBOXX HIGH YLD CORP BD", "ARCA", 79.6),
    ("XLF", "FINANCIAL SELECT SECTOR SPDR", "ARCA", 49.2),
    ("XLE", "ENERGY SELECT SECTOR SPDR", "ARCA", 91.8),
    ("XLK", "TECHNOLOGY SELECT SECT SPDR", "ARCA", 232.5),
    ("SMH", "VANECK SEMICONDUCTOR ETF", "NASDAQ", 245.3),
    ("ARKK", "ARK INNOVATION ETF", "ARCA", 57.4),
    ("EEM", "ISHARES MSCI EMERGING MARKETS", "ARCA", 42.6),
    ("USO", "UNITED STATES OIL FUND LP", "ARCA", 74.2),
    ("TQQQ", "PROSHARES ULTRAPRO QQQ", "NASDAQ", 78.9),
    ("SQQQ", "PROSHARES ULTRAPRO SHORT QQQ", "NASDAQ", 7.6),
]
# symbol, name, exchange, multiplier, tick, price, lot, volatility, quarterly?, industry
FUTURES = [
    ("RTY", "E-mini Russell 2000 Index", "CME", 50, 0.1, 2371.5, 3, 1.2, True, "Indices"),
    ("YM", "E-mini Dow Jones Industrial Average", "CBOT", 5, 1.0, 44215.0, 2, 1.0, True, "Indices"),
    ("MES", "Micro E-mini S&P 500", "CME", 5, 0.25, 6010.25, 20, 0.6, True, "Indices"),
    ("MNQ", "Micro E-mini NASDAQ 100", "CME", 2, 0.25, 21050.5, 20, 1.5, True, "Indices"),
    ("MYM", "Micro E-mini Dow Jones", "CBOT", 0.5, 1.0, 44215.0, 10, 1.0, True, "Indices"),
    ("M2K", "Micro E-mini Russell 2000", "CME", 5, 0.1, 2371.5, 10, 1.2, True, "Indices"),
    ("ZN", "10-Year T-Note", "CBOT", 1000, 0.015625, 109.5, 20, 0.5, True, "Interest rates"),
    ("ZB", "U.S. Treasury Bond", "CBOT", 1000, 0.03125, 117.25, 10, 0.5, True, "Interest rates"),
    ("ZF", "5-Year T-Note", "CBOT", 1000, 0.0078125, 106.5, 20, 0.5, True, "Interest rates"),
    ("6E", "Euro FX", "CME", 125000, 0.00005, 1.0865, 10, 0.8, True, "Currencies"),
    ("6J", "Japanese Yen", "CME", 12500000, 0.0000005, 0.006545, 10, 0.8, True, "Currencies"),
    ("6B", "British Pound", "CME", 62500, 0.0001, 1.2745, 10, 0.8, True, "Currencies"),
    ("GC", "Gold", "COMEX", 100, 0.1, 2668.4, 3, 1.0, False, "Metals"),
    ("MGC", "E-Micro Gold", "COMEX", 10, 0.1, 2668.4, 10, 1.0, False, "Metals"),
    ("SI", "Silver", "COMEX", 5000, 0.005, 31.245, 2, 1.0, False, "Metals"),
    ("HG", "Copper", "COMEX", 25000, 0.0005, 4.1235, 3, 1.0, False, "Metals"),
    ("NG", "Henry Hub Natural Gas", "NYMEX", 10000, 0.001, 3.342, 3, 1.2, False, "Energy"),
    ("MCL", "Micro WTI Crude Oil", "NYMEX", 100, 0.01, 69.85, 10, 1.0, False, "Energy"),
    ("RB", "RBOB Gasoline", "NYMEX", 42000, 0.0001, 1.9842, 2, 1.0, False, "Energy"),
    ("HO", "NY Harbor ULSD", "NYMEX", 42000, 0.0001, 2.2415, 2, 1.0, False, "Energy"),
    ("ZC", "Corn", "CBOT", 5000, 0.25, 427.5, 5, 0.8, False, "Agriculture"),
    ("ZS", "Soybeans", "CBOT", 5000, 0.25, 992.25, 5, 0.8, False, "Agriculture"),
    ("ZW", "Chicago SRW Wheat", "CBOT", 5000, 0.25, 548.75, 5, 0.8, False, "Agriculture"),
]
# base, quote, price, tick
FX = [
    ("GBP", "USD", 1.27450, 0.00005), ("USD", "JPY", 154.215, 0.005), ("AUD", "USD", 0.65120, 0.00005),
    ("USD", "CAD", 1.39850, 0.00005), ("USD", "CHF", 0.88540, 0.00005), ("NZD", "USD", 0.58640, 0.00005),
    ("EUR", "GBP", 0.83170, 0.00005), ("EUR", "JPY", 167.585, 0.005), ("EUR", "CHF", 0.93210, 0.00005),
    ("GBP", "JPY", 196.540, 0.005), ("USD", "MXN", 20.3415, 0.0001), ("USD", "CNH", 7.24380, 0.0001),
]
MONTHS_LISTED = 4  # futures months offered per symbol
# what the paper account has no real-time market data subscription for: delayed data only
DELAYED_ONLY = frozenset({"EEM", "ARKK", "ZC", "ZS", "ZW"})


def _con_id(key: str) -> int:
    """A stable contract id away from the well-known ones."""
    return 700_000_000 + zlib.crc32(key.encode()) % 200_000_000


def _months(today: dt.date, quarterly: bool) -> list[tuple[dt.date, dt.date]]:
    """(contract month, last trade date) of the next listed months."""
    out: list[tuple[dt.date, dt.date]] = []
    year, month = today.year, today.month
    while len(out) < MONTHS_LISTED:
        if not quarterly or month % 3 == 0:
            last = _third_friday(year, month) if quarterly else dt.date(year, month, 1) - dt.timedelta(days=3)
            if last >= today:
                out.append((dt.date(year, month, 1), last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _decimals_price(price: float, tick: float) -> float:
    return round(round(price / tick) * tick, 10)


def universe(today: dt.date) -> list[Instrument]:
    """Stocks, ETFs, futures (several months each) and FX pairs beyond the well-known ten."""
    out: list[Instrument] = []
    for symbol, name, primary, price, industry in STOCKS:
        c = Contract(symbol, "STK", "SMART", "USD", _con_id(f"STK:{symbol}"), local_symbol=symbol,
                     trading_class="NMS", primary_exchange=primary)
        out.append(Instrument(ContractSpec(c, 0.01, 1.0, name, "US/Eastern"), price, 100,
                              1.0 + (zlib.crc32(symbol.encode()) % 10) / 10, "stock", industry, "Stock"))
    for symbol, name, primary, price in ETFS:
        c = Contract(symbol, "STK", "SMART", "USD", _con_id(f"STK:{symbol}"), local_symbol=symbol,
                     trading_class=symbol, primary_exchange=primary)
        out.append(Instrument(ContractSpec(c, 0.01, 1.0, name, "US/Eastern"), price, 200, 1.0,
                              "stock", "Funds", "ETF", realtime=symbol not in DELAYED_ONLY))
    for symbol, name, exchange, mult, tick, price, lot, vol, quarterly, industry in FUTURES:
        for i, (month, last) in enumerate(_months(today, quarterly)):
            code = _MONTH_CODES[month.month - 1] + str(month.year % 10)
            c = Contract(symbol, "FUT", exchange, "USD", _con_id(f"FUT:{symbol}:{month:%Y%m}"),
                         last.strftime("%Y%m%d"), f"{mult:g}", symbol + code, symbol)
            spread = price * 0.002 * i  # deferred months a little away from the front
            out.append(Instrument(ContractSpec(c, tick, float(mult), name, "US/Central"),
                                  _decimals_price(price + spread, tick), lot, vol, "future", industry, name,
                                  realtime=symbol not in DELAYED_ONLY))
    for base, quote, price, tick in FX:
        c = Contract(base, "CASH", "IDEALPRO", quote, _con_id(f"CASH:{base}.{quote}"), "", "",
                     f"{base}.{quote}", f"{base}.{quote}")
        out.append(Instrument(ContractSpec(c, tick, 1.0, f"{base}.{quote}", "US/Eastern"), price,
                              1_000_000, 0.8, "fx", "Currency", "Currency"))
    return out
