"""The simulated gateway's instrument catalogue.

Futures expiries are computed from the session date, so the catalogue always
offers the front month: ES and NQ expire on the third Friday of the quarter
month, CL three business days before the 25th of the month before delivery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui.core.contracts import Contract, ContractSpec

_MONTH_CODES = "FGHJKMNQUVXZ"


@dataclass(frozen=True, slots=True)
class Instrument:
    """A contract the gateway trades, with its market model parameters."""

    spec: ContractSpec
    start_price: float
    lot: int  # typical depth size unit
    volatility_ticks: float  # standard deviation of the mid walk per step, in ticks
    commission: str  # "stock", "future" or "fx"
    industry: str = ""
    category: str = ""
    realtime: bool = True  # False: the account has no real-time subscription (delayed data only)

    @property
    def contract(self) -> Contract:
        return self.spec.contract

    @property
    def tick(self) -> float:
        return self.spec.tick

    @property
    def con_id(self) -> int:
        return self.spec.contract.con_id


def _third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (4 - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 14)


def _quarterly_expiry(today: dt.date) -> dt.date:
    year, month = today.year, today.month
    while True:
        if month % 3 == 0:
            expiry = _third_friday(year, month)
            if expiry >= today:
                return expiry
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _business_days_before(day: dt.date, n: int) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    while n:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _cl_expiry(today: dt.date) -> tuple[dt.date, dt.date]:
    """(contract month, last trade date) of the CL front month."""
    year, month = today.year, today.month
    while True:
        nyear, nmonth = (year + 1, 1) if month == 12 else (year, month + 1)
        last = _business_days_before(dt.date(year, month, 25), 3)
        if last >= today:
            return dt.date(nyear, nmonth, 1), last
        year, month = nyear, nmonth


def _stock(con_id: int, symbol: str, name: str, primary: str, price: float, industry: str) -> Instrument:
    contract = Contract(
        symbol, "STK", "SMART", "USD", con_id, local_symbol=symbol, trading_class="NMS",
        primary_exchange=primary,
    )
    return Instrument(
        ContractSpec(contract, 0.01, 1.0, name, "US/Eastern"), price, 100, 1.2, "stock",
        industry, "Stock",
    )


def build_catalogue(today: dt.date) -> list[Instrument]:
    """Every instrument the gateway serves, with front months as of ``today``."""
    quarterly = _quarterly_expiry(today)
    q_code = _MONTH_CODES[quarterly.month - 1] + str(quarterly.year % 10)
    cl_month, cl_last = _cl_expiry(today)
    cl_code = _MONTH_CODES[cl_month.month - 1] + str(cl_month.year % 10)
    es = Contract(
        "ES", "FUT", "CME", "USD", 495512563, quarterly.strftime("%Y%m%d"), "50",
        "ES" + q_code, "ES",
    )
    nq = Contract(
        "NQ", "FUT", "CME", "USD", 563947738, quarterly.strftime("%Y%m%d"), "20",
        "NQ" + q_code, "NQ",
    )
    cl = Contract(
        "CL", "FUT", "NYMEX", "USD", 212921504, cl_last.strftime("%Y%m%d"), "1000",
        "CL" + cl_code, "CL",
    )
    eur = Contract("EUR", "CASH", "IDEALPRO", "USD", 12087792, "", "", "EUR.USD", "EUR.USD")
    return [
        _stock(265598, "AAPL", "APPLE INC", "NASDAQ", 228.50, "Technology"),
        _stock(272093, "MSFT", "MICROSOFT CORP", "NASDAQ", 415.20, "Technology"),
        _stock(4815747, "NVDA", "NVIDIA CORP", "NASDAQ", 142.30, "Technology"),
        _stock(76792991, "TSLA", "TESLA INC", "NASDAQ", 251.10, "Consumer, Cyclical"),
        _stock(3691937, "AMZN", "AMAZON.COM INC", "NASDAQ", 198.70, "Communications"),
        _stock(756733, "SPY", "SPDR S&P 500 ETF TRUST", "ARCA", 598.40, "Funds"),
        Instrument(
            ContractSpec(es, 0.25, 50.0, "E-mini S&P 500", "US/Central"), 6010.25, 5, 0.6,
            "future", "Indices", "Broad",
        ),
        Instrument(
            ContractSpec(nq, 0.25, 20.0, "E-mini NASDAQ 100", "US/Central"), 21050.50, 2, 1.5,
            "future", "Indices", "Broad",
        ),
        Instrument(
            ContractSpec(cl, 0.01, 1000.0, "Light Sweet Crude Oil", "US/Eastern"), 69.85, 3, 1.0,
            "future", "Energy", "Crude oil",
        ),
        Instrument(
            ContractSpec(eur, 0.00005, 1.0, "European Monetary Union Euro", "US/Eastern"),
            1.08550, 1_000_000, 0.8, "fx", "Currency", "Currency",
        ),
    ]
