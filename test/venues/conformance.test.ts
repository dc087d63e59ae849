import { asterHarness, binanceHarness, hyperliquidHarness } from './conformance/live-harnesses';
import { paperHarness } from './conformance/paper-harness';
import { venueConformance } from './conformance/suite';

venueConformance('paper', paperHarness);
venueConformance('binance', binanceHarness);
venueConformance('aster', asterHarness);
venueConformance('hyperliquid', hyperliquidHarness);
