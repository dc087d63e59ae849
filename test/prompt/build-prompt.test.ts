import assert from 'node:assert/strict';
import { TRADING_STYLES } from '../../arena-config/types';
import { buildPrompt, fmtCompact, fmtDuration, fmtFixed, fmtPrice, fmtUsd } from '../../decisions/prompt/build-prompt';
import { STYLE_TEXT } from '../../decisions/prompt/styles';
import type { DecisionInput } from '../../decisions/types';
import type { SymbolSnapshot } from '../../market/snapshot';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';

const NOW = Date.UTC(2023, 6, 30, 21, 15);
const MIN = 60_000;

function snapshot(symbol: string, price: number, over: Partial<SymbolSnapshot> = {}): SymbolSnapshot {
  const ind = {
    rsi7: null,
    rsi14: null,
    macd: null,
    macdSignal: null,
    macdHist: null,
    ema20: null,
    ema50: null,
    atr14: null,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
  };
  return {
    symbol,
    price,
    change1hPct: null,
    change4hPct: null,
    fundingRate: null,
    openInterest: null,
    volume3m: 0,
    tf3m: { ...ind, closes: [price] },
    tf4h: { ...ind, trend: 'flat' },
    ...over,
  };
}

const BTC = snapshot('BTCUSDT', 29204.91234, {
  change1hPct: 0.2512,
  change4hPct: -0.4912,
  fundingRate: 0.00011343,
  openInterest: 81234.5,
  volume3m: 373.417,
  tf3m: {
    rsi7: 53.0487,
    rsi14: 50.68,
    macd: -0.44231234,
    macdSignal: -10.02,
    macdHist: 9.57512,
    ema20: 29196.8123,
    ema50: 29229,
    atr14: 32.44,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
    closes: [29167.34, 29165.8, 29157.8, 29215.9, 29255.5, 29226.8, 29219.1, 29215, 29204.7, 29204.91234],
  },
  tf4h: {
    rsi7: 38.9,
    rsi14: 43.6512,
    macd: -29.6,
    macdSignal: -30.32,
    macdHist: 0.7145,
    ema20: 29286.24,
    ema50: 29431.94,
    atr14: 164.6123,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
    trend: 'down',
  },
});
const DOGE = snapshot('DOGEUSDT', 0.07810012, {
  volume3m: 13200912,
  tf3m: { ...BTC.tf3m, macd: -0.0000159912, closes: [0.07816, 0.0781] },
});

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    agentId: 'a1',
    cycleNo: 200,
    marketTime: NOW,
    account: { equity: 10012.3456, available: 7500, marginUsed: 2500, unrealizedPnl: 12.3456 },
    positions: [
      {
        symbol: 'BTCUSDT',
        side: 'long',
        quantity: 0.1,
        entryPrice: 29100.04,
        markPrice: 29204.91234,
        unrealizedPnl: 10.487,
        leverage: 5,
        margin: 582,
        liquidationPrice: 23396.43,
        openedAt: NOW - 135 * MIN,
        stopLoss: 28700,
        takeProfit: 30100,
      },
      {
        symbol: 'DOGEUSDT',
        side: 'short',
        quantity: 20000,
        entryPrice: 0.0785,
        markPrice: 0.07810012,
        unrealizedPnl: 7.99,
        leverage: 3,
        margin: 523.33,
        liquidationPrice: 0.10362,
        openedAt: NOW - 45 * MIN,
        stopLoss: null,
        takeProfit: 0.0745,
      },
    ],
    market: [BTC, DOGE],
    risk: { ...SEED_RISK_LIMITS },
    tradingStyle: 'balanced',
    feedback: {
      tradeCount: 9,
      winRate: 4 / 9,
      totalPnl: -41.3712,
      recentTrades: [
        { symbol: 'ETHUSDT', side: 'long', pnl: 58.2149, returnOnMarginPct: 11.6412, closeReason: 'take_profit', holdMinutes: 171 },
        { symbol: 'SOLUSDT', side: 'short', pnl: -35.9, returnOnMarginPct: -7.18, closeReason: null, holdMinutes: 48 },
      ],
      bestSymbol: { symbol: 'ETHUSDT', pnl: 58.2149 },
      worstSymbol: { symbol: 'BTCUSDT', pnl: -80.82 },
      recentDecisions: [
        { cycle: 199, summary: 'hold' },
        { cycle: 198, summary: 'open short DOGEUSDT 20000 @3x' },
      ],
    },
    ...over,
  };
}

const SECTIONS = ['Prefer BTC and ETH.', 'Never trade on Sundays.'];

describe('buildPrompt: user message', () => {
  const { user } = buildPrompt(input(), {});

  it('opens with the market time (UTC) and the account', () => {
    assert.ok(user.startsWith('Time 2023-07-30 21:15 UTC, cycle 200\n'));
    assert.ok(user.includes('Account: equity 10012.3, available 7500, margin 2500 (25% of equity), upnl 12.35'));
  });

  it('has one row per position with every field, rounded', () => {
    assert.ok(user.includes('symbol|side|qty|entry|mark|upnl|upnl%|lev|liq|sl|tp|held\n'));
    assert.ok(user.includes('BTCUSDT|long|0.1|29100|29204.9|10.49|1.8|5x|23396.4|28700|30100|2h15m\n'));
    assert.ok(user.includes('DOGEUSDT|short|20000|0.0785|0.0781001|7.99|1.5|3x|0.10362|-|0.0745|45m\n'));
  });

  it('has one row per symbol with the 3m and 4h indicators, funding and open interest', () => {
    assert.ok(
      user.includes(
        'symbol|price|chg1h|chg4h|rsi7_3m|macd_3m|hist_3m|ema20_3m|rsi14_4h|ema20_4h|ema50_4h|atr14_4h|trend_4h|funding|oi|vol3m\n',
      ),
    );
    assert.ok(user.includes('BTCUSDT|29204.9|0.25|-0.49|53|-0.4423|9.575|29196.8|43.7|29286.2|29431.9|164.6|down|0.0113|81.2K|373\n'));
    assert.ok(user.includes('DOGEUSDT|0.0781001|-|-|53|-0.00001599|9.575|29196.8|-|-|-|-|flat|-|-|13.2M\n'));
  });

  it('has the 3m close series per symbol', () => {
    assert.ok(user.includes('BTCUSDT 29167.3 29165.8 29157.8 29215.9 29255.5 29226.8 29219.1 29215 29204.7 29204.9\n'));
    assert.ok(user.includes('DOGEUSDT 0.07816 0.0781\n'));
  });

  it('has the performance feedback: record, last trades, recent cycles', () => {
    assert.ok(user.includes('Your record: 9 closed trades, win rate 44.4%, pnl -41.37; best ETHUSDT 58.21, worst BTCUSDT -80.82\n'));
    assert.ok(user.includes('symbol|side|pnl|ret%|exit|held\nETHUSDT|long|58.21|11.6|take_profit|2h51m\nSOLUSDT|short|-35.9|-7.2|-|48m\n'));
    assert.ok(user.endsWith('Last cycles, newest first:\n199 hold\n198 open short DOGEUSDT 20000 @3x'));
  });

  it('says when there is no position, no trade yet, and leaves out an absent record', () => {
    const empty = buildPrompt(
      input({
        positions: [],
        feedback: { tradeCount: 0, winRate: null, totalPnl: 0, recentTrades: [], bestSymbol: null, worstSymbol: null, recentDecisions: [] },
      }),
      {},
    ).user;
    assert.ok(empty.includes('\n\nPositions: none\n\n'));
    assert.ok(empty.endsWith('Your record: no closed trades yet'));
    assert.ok(!buildPrompt(input({ feedback: undefined }), {}).user.includes('record'));
  });
});

describe('buildPrompt: system message', () => {
  const { system } = buildPrompt(input(), { promptSections: SECTIONS });

  it('restates the limits, with defaults filled in, and says they are enforced in code', () => {
    assert.match(system, /Limits \(enforced in code after your reply[^\n]*do not spend words on them\)/);
    for (const piece of [
      'at most 3 positions, one per symbol, never added to; at most 10 opens per hour',
      'leverage (default 1x): at most 10x\n',
      'one position <= 30% of equity, all positions <= 80%, margin in use <= 90%',
      "one trade's margin + fee <= 50% of available (30% with positions open)",
      'position value: at most 10x equity for BTCUSDT/ETHUSDT, 1.5x for others',
      'reward/risk >= 2 (when omitted: stop 3%, target 10% from the price)',
      'no new positions after a 15% loss in the UTC day or equity 30% below its peak, nor in a symbol for 15 min after a stop-loss there',
    ])
      assert.ok(system.includes(piece), piece);
    assert.ok(!system.includes('cannot be closed'));
    const strict = buildPrompt(
      input({ risk: { ...input().risk, maxLeverage: 40, minHoldingMinutes: 30, maxDrawdownPct: 100 } }),
      {},
    ).system;
    assert.ok(strict.includes('at most 40x for BTCUSDT/ETHUSDT, 20x for others'));
    assert.ok(strict.includes('a position younger than 30 min cannot be closed'));
    assert.ok(!strict.includes('below its peak'));
  });

  it('has the style, then the custom sections in order, then the reply format', () => {
    const style = system.indexOf(STYLE_TEXT.balanced);
    const first = system.indexOf(SECTIONS[0]!);
    const second = system.indexOf(SECTIONS[1]!);
    const reply = system.indexOf('Reply with one JSON object');
    assert.ok(style > 0 && style < first && first < second && second < reply, `${style} ${first} ${second} ${reply}`);
  });

  it('asks for the canonical reply: reasoning and decisions with the canonical field names and actions', () => {
    for (const field of [
      'reasoning',
      'decisions',
      'action',
      'symbol',
      'size_usd',
      'quantity',
      'leverage',
      'stop_loss',
      'take_profit',
      'confidence',
      'reason',
    ]) {
      assert.ok(system.includes(`"${field}"`), field);
    }
    assert.ok(system.includes('open_long | open_short | close | hold | wait'));
  });

  it('gives each style its own paragraph', () => {
    const systems = TRADING_STYLES.map((tradingStyle) => buildPrompt(input({ tradingStyle }), {}).system);
    assert.equal(new Set(systems).size, 3);
    TRADING_STYLES.forEach((style, i) => {
      assert.ok(systems[i]!.includes(`Style: ${style}.`));
      for (const other of TRADING_STYLES) if (other !== style) assert.ok(!systems[i]!.includes(STYLE_TEXT[other]));
    });
  });

  it('skips blank custom sections', () => {
    assert.equal(buildPrompt(input(), { promptSections: ['  ', ''] }).system, buildPrompt(input(), {}).system);
  });
});

describe('buildPrompt: determinism and number formats', () => {
  it('gives identical text for the same input', () => {
    const a = buildPrompt(input(), { promptSections: SECTIONS });
    const b = buildPrompt(structuredClone(input()), { promptSections: [...SECTIONS] });
    assert.deepEqual(a, b);
  });

  it('rounds to meaningful precision', () => {
    assert.equal(fmtPrice(29204.91234), '29204.9');
    assert.equal(fmtPrice(0.000012345678), '0.0000123457');
    assert.equal(fmtPrice(null), '-');
    assert.equal(fmtFixed(25.0, 1), '25');
    assert.equal(fmtFixed(-0.001, 2), '0');
    assert.equal(fmtUsd(123456.789), '123457');
    assert.equal(fmtUsd(3.14159), '3.14');
    assert.equal(fmtCompact(13200912), '13.2M');
    assert.equal(fmtCompact(-4486.67), '-4.49K');
    assert.equal(fmtCompact(524.12), '524');
    assert.equal(fmtDuration(59_999), '0m');
    assert.equal(fmtDuration((26 * 60 + 5) * MIN), '1d2h');
  });
});

describe('buildPrompt: what a trader needs to trust it', () => {
  const header = (user: string) => user.split('\n').find((l) => l.startsWith('symbol|price|'))!;
  const rowOf = (user: string, symbol: string) => user.split('\n').find((l) => l.startsWith(`${symbol}|`) && l.split('|').length > 12)!;

  describe('open interest', () => {
    it('has its column where the source gives it, "-" for a symbol it does not know', () => {
      const { user } = buildPrompt(input(), {});
      assert.ok(user.includes('; oi, vol3m in base units):'));
      assert.match(header(user), /\|funding\|oi\|vol3m$/);
      assert.match(rowOf(user, 'BTCUSDT'), /\|81\.2K\|373$/);
      assert.match(rowOf(user, 'DOGEUSDT'), /\|-\|13\.2M$/);
    });

    it('leaves the column out entirely when no symbol has it (the bundled replay, Aster)', () => {
      const { user } = buildPrompt(input({ market: [{ ...BTC, openInterest: null }, DOGE] }), {});
      assert.ok(user.includes('; vol3m in base units):') && !user.includes('oi,'));
      assert.match(header(user), /\|trend_4h\|funding\|vol3m$/);
      assert.match(rowOf(user, 'BTCUSDT'), /\|down\|0\.0113\|373$/);
    });
  });

  describe('funding interval', () => {
    const marketWith = (btcHours?: number, dogeHours?: number) => [
      { ...BTC, fundingIntervalHours: btcHours },
      { ...DOGE, fundingRate: 0.0001, fundingIntervalHours: dogeHours },
    ];
    const userWith = (btcHours?: number, dogeHours?: number) => buildPrompt(input({ market: marketWith(btcHours, dogeHours) }), {}).user;

    it('states the interval of the replay and Binance (8h) and of Hyperliquid (1h) in the title', () => {
      assert.ok(userWith(8, 8).includes('4-hour bars; funding % per 8h; oi'));
      const hourly = userWith(1, 1);
      assert.ok(hourly.includes('4-hour bars; funding % per 1h; oi'));
      assert.match(rowOf(hourly, 'BTCUSDT'), /\|down\|0\.0113\|81\.2K\|/);
    });

    it('gives each rate its own interval when symbols settle differently (Binance 4h symbols)', () => {
      const user = userWith(8, 4);
      assert.ok(user.includes('4-hour bars; funding % per settlement/its interval; oi'));
      assert.match(rowOf(user, 'BTCUSDT'), /\|down\|0\.0113\/8h\|81\.2K\|/);
      assert.match(rowOf(user, 'DOGEUSDT'), /\|flat\|0\.01\/4h\|-\|/);
    });

    it('names no interval it does not know (snapshots recorded before intervals were)', () => {
      const user = userWith(undefined, undefined);
      assert.ok(user.includes('4-hour bars; funding % per settlement; oi'));
      assert.match(rowOf(user, 'BTCUSDT'), /\|down\|0\.0113\|81\.2K\|/);
    });
  });

  describe('limits', () => {
    // limits-state.test.ts computes these from an account and a history by hand.
    const STATE = {
      dayPnl: -300,
      dayPnlPct: -3,
      dayLossPct: 5,
      drawdownPct: (700 / 10_400) * 100,
      opensLastHour: 4,
      cooldowns: [
        { symbol: 'XRPUSDT', minutesLeft: 1 },
        { symbol: 'SOLUSDT', minutesLeft: 9 },
      ],
      freeMargin: 5_060,
      maxOpenMargin: 1_800,
    };
    const limitsLine = (user: string) => user.split('\n').find((l) => l.startsWith('Limits now:'));

    it('shows, under the account, the day against the daily loss limit, drawdown against its lock, slots, cooldowns, free margin', () => {
      const { user } = buildPrompt(input({ limitsState: STATE }), {});
      assert.ok(
        user.includes(
          'Account: equity 10012.3, available 7500, margin 2500 (25% of equity), upnl 12.35\n' +
            'Limits now: day pnl -300 (-3%, low -5%; limit -15%), drawdown 6.7% (lock 30%), positions 2/3, opens this hour 4/10, ' +
            'stop-loss cooldown XRPUSDT 1m, SOLUSDT 9m, free margin 5060 (one open <= 1800)\n\nPositions',
        ),
      );
    });

    it('says when a lock stops new positions', () => {
      const locked = buildPrompt(
        input({
          limitsState: {
            ...STATE,
            dayPnl: -1620.456,
            dayPnlPct: -16.2046,
            dayLossPct: 16.2046,
            drawdownPct: 31.04,
            opensLastHour: 10,
            cooldowns: [],
          },
        }),
        {},
      ).user;
      assert.equal(
        limitsLine(locked),
        'Limits now: day pnl -1620.46 (-16.2%; limit -15% hit: no new positions until 00:00 UTC), drawdown 31% (lock 30% hit: no new positions), ' +
          'positions 2/3, opens this hour 10/10, free margin 5060 (one open <= 1800)',
      );
    });

    it('leaves out a drawdown lock that is off, and the line when the state is not known', () => {
      const off = buildPrompt(input({ limitsState: STATE, risk: { ...SEED_RISK_LIMITS, maxDrawdownPct: 100 } }), {}).user;
      assert.ok(!limitsLine(off)!.includes('drawdown'));
      assert.equal(limitsLine(buildPrompt(input(), {}).user), undefined);
    });
  });

  describe('recent cycles', () => {
    const withRejections = (rejections: string[]) =>
      buildPrompt(
        input({
          feedback: {
            ...input().feedback!,
            recentDecisions: [
              { cycle: 199, summary: `${rejections.length} rejected`, rejections },
              { cycle: 198, summary: 'wait' },
            ],
          },
        }),
        {},
      ).user;

    it('says which rule refused each rejected decision', () => {
      const user = withRejections([
        'open_long BTCUSDT: 10 positions opened in the last hour: at most 10 per hour (max_opens_per_hour)',
        'close ETHUSDT: no open position in ETHUSDT to close',
      ]);
      assert.ok(
        user.endsWith(
          'Last cycles, newest first:\n199 2 rejected\n' +
            ' refused open_long BTCUSDT: 10 positions opened in the last hour: at most 10 per hour (max_opens_per_hour)\n' +
            ' refused close ETHUSDT: no open position in ETHUSDT to close\n198 wait',
        ),
      );
    });

    it('keeps it lean: three refusals per cycle, a long reason cut in the middle so the rule stays', () => {
      const long = `open_short SOLUSDT: ${'x'.repeat(400)} the stop must stay inside it (stop_loss_cooldown_minutes)`;
      const user = withRejections([long, 'a: 1', 'b: 2', 'c: 3', 'd: 4']);
      const lines = user.split('\n');
      const first = lines.find((l) => l.startsWith(' refused open_short'))!;
      assert.equal(first.length, ' refused '.length + 240);
      assert.ok(first.startsWith(' refused open_short SOLUSDT: xxx'), first);
      assert.ok(
        first.endsWith(`…${long.slice(-60)}`) && first.endsWith('xx the stop must stay inside it (stop_loss_cooldown_minutes)'),
        first,
      );
      assert.deepEqual(lines.slice(lines.indexOf(first) + 1, lines.indexOf(first) + 4), [
        ' refused a: 1',
        ' refused b: 2',
        ' and 2 more refused',
      ]);
    });
  });

  describe('fee rate', () => {
    it("states the venue's taker fee in the system message, and nothing when it is not known", () => {
      assert.ok(
        buildPrompt(input({ takerFeeRate: 0.0005 }), {}).system.includes(
          'Prices and amounts are in USDT. Fees: 0.05% of the position value on each open and each close.\n\n',
        ),
      );
      assert.ok(buildPrompt(input({ takerFeeRate: 0.00045 }), {}).system.includes('Fees: 0.045% of the position value'));
      assert.ok(!buildPrompt(input(), {}).system.includes('Fees:'));
    });
  });
});
