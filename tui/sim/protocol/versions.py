"""Server versions this gateway speaks, and from which version each field of a layout appears.

A session is answered at the highest version both sides know (``negotiate``), between 157
and 200. Each name below is a layout change a client decodes or encodes differently from
that version on; the parsers and encoders test ``version >= V.NAME`` and nothing else, so
this table is the whole difference between a 157 and a 200 conversation. Names and
numbers were read from IB's 10.x client (``server_versions.py``, ``decoder.py``,
``orderdecoder.py``, ``client.py``), which is the reference the tests compare against.

From 201 a TWS speaks protobuf for most messages (binary message ids and a different
payload); that is a second codec, out of scope here.
"""

from __future__ import annotations

from enum import IntEnum

OLDEST = 157  # the layouts every supported client (ibapi 9.81 and up) still reads
NEWEST = 200  # the last text-protocol version before protobuf


class V(IntEnum):
    """The first server version with a layout change, named after the change."""

    DURATION = 158  # placeOrder / openOrder: order.duration
    POST_TO_ATS = 160  # placeOrder / openOrder: order.postToAts
    AUTO_CANCEL_PARENT = 162  # placeOrder / openOrder: order.autoCancelParent
    FRACTIONAL_SIZE = 163  # contractData: sizeMinTick (replaced by the size rules at 164)
    SIZE_RULES = 164  # contractData: no version field, no mdSizeMultiplier; minSize, sizeIncrement ..
    HISTORICAL_SCHEDULE = 165  # reqHistoricalData whatToShow=SCHEDULE answers historicalSchedule
    ADVANCED_ORDER_REJECT = 166  # error: advancedOrderRejectJson; placeOrder: advancedErrorOverride
    USER_INFO = 167  # reqUserInfo / userInfo
    MANUAL_ORDER_TIME = 169  # placeOrder: manualOrderTime; cancelOrder: manualOrderCancelTime
    PEGBEST_PEGMID = 170  # openOrder / completedOrder: minTradeQty .. midOffsetAtHalf (5 fields)
    BOND_ISSUER_ID = 176  # symbolSamples: description, issuerId; reqContractDetails: issuerId
    FA_PROFILE_GONE = 177  # placeOrder / openOrder / completedOrder: no faProfile field
    PENDING_PRICE_REVISION = 178  # executionData: pendingPriceRevision
    LAST_TRADE_DATE = 182  # contractData: lastTradeDate after lastTradeDateOrContractMonth
    CUSTOMER_ACCOUNT = 183  # placeOrder / openOrder / completedOrder: customerAccount
    PROFESSIONAL_CUSTOMER = 184  # .. professionalCustomer
    BOND_ACCRUED_INTEREST = 185  # openOrder: bondAccruedInterest
    INELIGIBILITY_REASONS = 186  # contractData: a count of ineligibility reasons
    RFQ_FIELDS = 187  # placeOrder / cancelOrder: two RFQ fields (dropped again at 190)
    INCLUDE_OVERNIGHT = 189  # placeOrder / openOrder: includeOvernight
    UNDO_RFQ_FIELDS = 190
    CME_TAGGING = 192  # placeOrder: manualOrderIndicator; cancel / global cancel: extOperator ..
    CME_TAGGING_IN_OPEN_ORDER = 193  # openOrder: extOperator, manualOrderIndicator
    ERROR_TIME = 194  # error: no version field; errorTime (epoch ms) at the end
    FULL_ORDER_PREVIEW = 195  # openOrder's what-if state: margin currency, outside-RTH margins ..
    HISTORICAL_DATA_END = 196  # historicalData: no start/end; a historicalDataEnd message follows
    CURRENT_TIME_IN_MILLIS = 197  # reqCurrentTimeInMillis / currentTimeInMillis
    SUBMITTER = 198  # executionData / openOrder / completedOrder: submitter
    IMBALANCE_ONLY = 199  # placeOrder / openOrder: imbalanceOnly
    PARAMETRIZED_DAYS_OF_EXECUTIONS = 200  # reqExecutions: lastNDays, specificDates


def negotiate(low: int, high: int) -> int | None:
    """The version to answer a client offering ``low..high``, or None if there is none."""
    version = min(high, NEWEST)
    return version if version >= max(low, OLDEST) else None
