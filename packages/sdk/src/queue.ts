import type { SpanEvent } from "./types.js";

/** An event waiting to be sent; `seq` orders events for `flush()`'s "everything before me". */
export interface QueuedEvent {
  readonly seq: number;
  readonly event: SpanEvent;
  /** About the serialised length: what the queue's character bound counts. */
  readonly size: number;
  /** Serialised when first sent, kept for retries. */
  json?: string;
}

/** A FIFO bounded by count and (estimated) characters; pushing past a bound drops the oldest and counts it. */
export interface EventQueue {
  readonly length: number;
  readonly chars: number;
  push(event: QueuedEvent): number;
  /** Up to `maxItems` events from the front, together at most `maxChars` (always at least one). */
  take(maxItems: number, maxChars: number): QueuedEvent[];
  /** Put events taken earlier back at the front, oldest first. Returns how many the bounds dropped. */
  putBack(events: QueuedEvent[]): number;
  firstSeq(): number | undefined;
  /** The seq of the event `index` places from the front. */
  seqAt(index: number): number | undefined;
}

export function createQueue(maxCount: number, maxChars: number): EventQueue {
  let items: QueuedEvent[] = [];
  let head = 0;
  let chars = 0;

  const length = () => items.length - head;

  function compact(): void {
    if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
  }

  function dropOverflow(): number {
    let dropped = 0;
    while (length() > 0 && (length() > maxCount || chars > maxChars)) {
      chars -= items[head]!.size;
      head++;
      dropped++;
    }
    compact();
    return dropped;
  }

  return {
    get length() {
      return length();
    },
    get chars() {
      return chars;
    },
    push(event) {
      items.push(event);
      chars += event.size;
      return length() > maxCount || chars > maxChars ? dropOverflow() : 0;
    },
    take(maxItems, maxBatchChars) {
      const out: QueuedEvent[] = [];
      let size = 0;
      while (length() > 0 && out.length < maxItems) {
        const next = items[head]!;
        if (out.length > 0 && size + next.size > maxBatchChars) break;
        out.push(next);
        size += next.size;
        chars -= next.size;
        head++;
      }
      compact();
      return out;
    },
    putBack(events) {
      if (events.length === 0) return 0;
      items = events.concat(items.slice(head));
      head = 0;
      for (const e of events) chars += e.size;
      return dropOverflow();
    },
    firstSeq() {
      return length() > 0 ? items[head]!.seq : undefined;
    },
    seqAt(index) {
      return items[head + index]?.seq;
    },
  };
}
