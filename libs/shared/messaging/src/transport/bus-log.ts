import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { KafkaRecord } from '@easgate/contracts';

/** A record as the in-process bus keeps it: its offset in its partition and when it was appended. */
export interface StoredRecord extends KafkaRecord {
  offset: number;
  timestamp: string;
}

export interface Appended {
  topic: string;
  partition: number;
  record: KafkaRecord;
}

/**
 * Where the in-process bus keeps its partitions and its groups' committed offsets. Offsets grow
 * forever per partition (never reused, even once the records below them are trimmed).
 */
export interface BusLog {
  /** The partition count of a topic: `whenNew` the first time it is seen, then what it was created with. */
  partitions(topic: string, whenNew: number): number;
  /** Appends every record or none; returns their offsets. A durable log has them on disk when it returns. */
  append(entries: Appended[]): number[];
  /** Up to `max` records from offset `from` (or from the oldest one kept, if `from` was trimmed). */
  read(topic: string, partition: number, from: number, max: number): StoredRecord[];
  /** The oldest offset still held. */
  start(topic: string, partition: number): number;
  /** The offset the next record will get. */
  end(topic: string, partition: number): number;
  committed(groupId: string, topic: string, partition: number): number | undefined;
  /** Records `next` as the group's next offset to read. */
  commit(groupId: string, topic: string, partition: number, next: number): void;
  close(): void;
}

const copy = (record: KafkaRecord): KafkaRecord => ({
  key: record.key,
  value: record.value === null ? null : Buffer.from(record.value),
  headers: { ...record.headers },
});

/** Nothing survives the process: for tests and benches that want the bus's semantics alone. */
export class MemoryBusLog implements BusLog {
  private readonly topics = new Map<string, StoredRecord[][]>();
  private readonly offsets = new Map<string, number>();

  partitions(topic: string, whenNew: number): number {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: whenNew }, () => []);
      this.topics.set(topic, partitions);
    }
    return partitions.length;
  }

  private log(topic: string, partition: number): StoredRecord[] {
    return this.topics.get(topic)?.[partition] ?? [];
  }

  append(entries: Appended[]): number[] {
    const timestamp = String(Date.now());
    return entries.map(({ topic, partition, record }) => {
      const log = this.topics.get(topic)![partition];
      log.push({ ...copy(record), offset: log.length, timestamp });
      return log.length - 1;
    });
  }

  read(topic: string, partition: number, from: number, max: number): StoredRecord[] {
    return this.log(topic, partition).slice(from, from + max);
  }

  start(): number {
    return 0;
  }

  end(topic: string, partition: number): number {
    return this.log(topic, partition).length;
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.offsets.get(`${groupId}\u0000${topic}\u0000${partition}`);
  }

  commit(groupId: string, topic: string, partition: number, next: number): void {
    this.offsets.set(`${groupId}\u0000${topic}\u0000${partition}`, next);
  }

  close(): void {
    // nothing to release
  }
}

export interface SqliteBusLogOptions {
  /**
   * Trim a partition (drop what every group that reads it has passed) each time a group's commit
   * crosses a multiple of this many offsets. Default 1,000.
   */
  trimEvery?: number;
}

interface RecordRow {
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: string;
  timestamp: string;
}

/**
 * The durable log of the embedded bus: one SQLite file (WAL). Appends commit with
 * `synchronous = FULL` (the WAL is fsynced before `append` returns), so what the bus acknowledged
 * survives a crash of the process or of the machine. Offset commits go through a second connection
 * at `synchronous = NORMAL`: one lost on a power cut only means a redelivery, which inboxes dedupe.
 * Records every group has passed are trimmed, so the file stays bounded by what is unconsumed.
 */
export class SqliteBusLog implements BusLog {
  private readonly records: BetterSqlite3.Database;
  private readonly offsets: BetterSqlite3.Database;
  private readonly partitionCounts = new Map<string, number>();
  private readonly ends = new Map<string, number>();
  private readonly starts = new Map<string, number>();
  private readonly commits = new Map<string, number>();
  private readonly trimEvery: number;
  private readonly statements;

  constructor(
    readonly file: string,
    options: SqliteBusLogOptions = {},
  ) {
    this.trimEvery = options.trimEvery ?? 1000;
    mkdirSync(dirname(file), { recursive: true });
    this.records = new BetterSqlite3(file);
    this.records.pragma('journal_mode = WAL');
    this.records.pragma('synchronous = FULL');
    this.records.pragma('busy_timeout = 5000');
    this.records.exec(`
      CREATE TABLE IF NOT EXISTS bus_topics (topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS bus_partitions (
        topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
        PRIMARY KEY (topic, partition)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS bus_records (
        topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
        key TEXT, value BLOB, headers TEXT NOT NULL, timestamp TEXT NOT NULL,
        PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS bus_offsets (
        group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
        PRIMARY KEY (group_id, topic, partition)) WITHOUT ROWID;
    `);
    this.offsets = new BetterSqlite3(file);
    this.offsets.pragma('synchronous = NORMAL');
    this.offsets.pragma('busy_timeout = 5000');
    this.statements = {
      insertTopic: this.records.prepare('INSERT INTO bus_topics (topic, partitions) VALUES (?, ?)'),
      insertPartition: this.records.prepare(
        'INSERT INTO bus_partitions (topic, partition, next_offset) VALUES (?, ?, 0)',
      ),
      advancePartition: this.records.prepare(
        'UPDATE bus_partitions SET next_offset = ? WHERE topic = ? AND partition = ?',
      ),
      insertRecord: this.records.prepare(
        'INSERT INTO bus_records (topic, partition, offset, key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      read: this.records.prepare<[string, number, number, number], RecordRow>(
        'SELECT offset, key, value, headers, timestamp FROM bus_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      commit: this.offsets.prepare(
        `INSERT INTO bus_offsets (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
      ),
      committed: this.offsets.prepare<[string, string, number], { next_offset: number }>(
        'SELECT next_offset FROM bus_offsets WHERE group_id = ? AND topic = ? AND partition = ?',
      ),
      slowest: this.offsets.prepare<[string, number], { slowest: number | null }>(
        'SELECT MIN(next_offset) AS slowest FROM bus_offsets WHERE topic = ? AND partition = ?',
      ),
      trim: this.offsets.prepare('DELETE FROM bus_records WHERE topic = ? AND partition = ? AND offset < ?'),
    };
    for (const row of this.records.prepare('SELECT topic, partitions FROM bus_topics').all() as {
      topic: string;
      partitions: number;
    }[])
      this.partitionCounts.set(row.topic, row.partitions);
    for (const row of this.records
      .prepare('SELECT topic, partition, next_offset FROM bus_partitions')
      .all() as {
      topic: string;
      partition: number;
      next_offset: number;
    }[]) {
      this.ends.set(`${row.topic}/${row.partition}`, row.next_offset);
      const oldest = this.records
        .prepare<[string, number], { oldest: number | null }>(
          'SELECT MIN(offset) AS oldest FROM bus_records WHERE topic = ? AND partition = ?',
        )
        .get(row.topic, row.partition);
      this.starts.set(`${row.topic}/${row.partition}`, oldest?.oldest ?? row.next_offset);
    }
  }

  partitions(topic: string, whenNew: number): number {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    this.records.transaction(() => {
      this.statements.insertTopic.run(topic, whenNew);
      for (let p = 0; p < whenNew; p++) this.statements.insertPartition.run(topic, p);
    })();
    this.partitionCounts.set(topic, whenNew);
    for (let p = 0; p < whenNew; p++) {
      this.ends.set(`${topic}/${p}`, 0);
      this.starts.set(`${topic}/${p}`, 0);
    }
    return whenNew;
  }

  append(entries: Appended[]): number[] {
    const timestamp = String(Date.now());
    const ends = new Map<string, number>();
    const offsets = entries.map(({ topic, partition }) => {
      const position = `${topic}/${partition}`;
      const offset = ends.get(position) ?? this.end(topic, partition);
      ends.set(position, offset + 1);
      return offset;
    });
    this.records.transaction(() => {
      entries.forEach(({ topic, partition, record }, i) =>
        this.statements.insertRecord.run(
          topic,
          partition,
          offsets[i],
          record.key,
          record.value,
          JSON.stringify(record.headers),
          timestamp,
        ),
      );
      for (const [position, next] of ends) {
        const cut = position.lastIndexOf('/');
        this.statements.advancePartition.run(next, position.slice(0, cut), Number(position.slice(cut + 1)));
      }
    })();
    // Only once the transaction committed: a failed append leaves the offsets where they were.
    for (const [position, next] of ends) this.ends.set(position, next);
    return offsets;
  }

  read(topic: string, partition: number, from: number, max: number): StoredRecord[] {
    return this.statements.read
      .all(topic, partition, Math.max(from, this.start(topic, partition)), max)
      .map((row) => ({
        key: row.key,
        value: row.value,
        headers: JSON.parse(row.headers) as Record<string, string>,
        offset: row.offset,
        timestamp: row.timestamp,
      }));
  }

  start(topic: string, partition: number): number {
    return this.starts.get(`${topic}/${partition}`) ?? 0;
  }

  end(topic: string, partition: number): number {
    return this.ends.get(`${topic}/${partition}`) ?? 0;
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    const position = `${groupId}/${topic}/${partition}`;
    if (!this.commits.has(position)) {
      const stored = this.statements.committed.get(groupId, topic, partition)?.next_offset;
      if (stored === undefined) return undefined;
      this.commits.set(position, stored);
    }
    return this.commits.get(position);
  }

  commit(groupId: string, topic: string, partition: number, next: number): void {
    const previous = this.committed(groupId, topic, partition) ?? 0;
    this.statements.commit.run(groupId, topic, partition, next);
    this.commits.set(`${groupId}/${topic}/${partition}`, next);
    if (Math.floor(next / this.trimEvery) > Math.floor(previous / this.trimEvery))
      this.trim(topic, partition);
  }

  /** Drops the records every group reading the partition has passed. */
  trim(topic: string, partition: number): void {
    const slowest = this.statements.slowest.get(topic, partition)?.slowest;
    if (slowest === null || slowest === undefined || slowest <= this.start(topic, partition)) return;
    this.statements.trim.run(topic, partition, slowest);
    this.starts.set(`${topic}/${partition}`, slowest);
  }

  close(): void {
    if (!this.offsets.open) return;
    this.offsets.close();
    this.records.close();
  }
}
