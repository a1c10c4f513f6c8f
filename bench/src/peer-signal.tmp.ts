export function signal(seq: number): string {
  return JSON.stringify({ msg_type: "strategy.signal", id: `msg_${seq.toString(16).padStart(28, "0")}`, seq_id: seq, timestamp: "2024-01-01T12:00:00Z", v: 4, payload: { strategy_id: 12345678, symbol: "AAPL", action: "BTO", quantity: 100, price: 150.25 } });
}
