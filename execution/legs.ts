/** The legs of an order phase and the purpose each order is recorded under. */
export type Leg = 'open' | 'close' | 'stop_loss' | 'take_profit' | 'emergency_close' | 'cancel';

export type OrderPurpose = 'open' | 'close' | 'stop_loss' | 'take_profit';

export const PURPOSE: Record<Exclude<Leg, 'cancel'>, OrderPurpose> = {
  open: 'open',
  close: 'close',
  emergency_close: 'close',
  stop_loss: 'stop_loss',
  take_profit: 'take_profit',
};
