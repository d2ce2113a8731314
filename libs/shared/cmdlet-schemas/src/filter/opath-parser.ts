import { type Result, fail, ok } from '../binding/result';
import { OPATH_OPERATORS, type OpathNode, type OpathOperator, type OpathValue } from './opath-ast';

export enum OpathErrorCode {
  Syntax = 'SYNTAX',
  UnknownProperty = 'UNKNOWN_PROPERTY',
}

export interface OpathError {
  readonly code: OpathErrorCode;
  readonly message: string;
  /** 0-based character offset of the problem in the filter text. */
  readonly position: number;
}

export interface OpathParseOptions {
  /** When given, properties outside this list (compared case-insensitively) are refused. */
  readonly filterableProperties?: readonly string[];
}

type Token =
  | { readonly kind: 'lparen' | 'rparen' | 'end'; readonly position: number }
  | { readonly kind: 'operator'; readonly name: string; readonly position: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly position: number }
  | { readonly kind: 'variable'; readonly name: string; readonly position: number }
  | { readonly kind: 'word'; readonly text: string; readonly position: number };

// Internal: unwinds the recursive-descent parser; never escapes parseOpathFilter.
class OpathSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'lparen' : 'rparen', position: i });
      i++;
    } else if (char === "'" || char === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new OpathSyntaxError('unterminated string', start);
        if (text[i] === char) {
          // A doubled quote is an escaped quote.
          if (text[i + 1] === char) {
            value += char;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ kind: 'quoted', text: value, position: start });
    } else if (char === '-' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      const match = /^-([A-Za-z]+)/.exec(text.slice(i));
      const name = (match?.[1] ?? '').toLowerCase();
      tokens.push({ kind: 'operator', name, position: i });
      i += name.length + 1;
    } else if (char === '$') {
      const match = /^\$([A-Za-z]+)/.exec(text.slice(i));
      if (!match) throw new OpathSyntaxError('expected $true, $false or $null', i);
      tokens.push({ kind: 'variable', name: match[1].toLowerCase(), position: i });
      i += match[0].length;
    } else {
      const match = /^[^\s()'"]+/.exec(text.slice(i));
      const word = match?.[0] ?? char;
      tokens.push({ kind: 'word', text: word, position: i });
      i += word.length;
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Deeper nesting (parentheses, -not) is refused: the parser recurses, a hostile filter must not overflow it. */
const MAX_NESTING = 64;
/** Longer filters are refused before they are read. */
export const MAX_OPATH_FILTER_LENGTH = 32_768;

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): OpathNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end')
      throw new OpathSyntaxError('unexpected text after the end of the filter', next.position);
    return node;
  }

  // -and binds tighter than -or. PowerShell gives them equal precedence; whether Exchange's OPATH
  // parser does is UNCONFIRMED, so `formatOpathFilter` always parenthesises mixed groups.
  private parseOr(): OpathNode {
    const operands = [this.parseAnd()];
    while (this.isOperator('or')) {
      this.index++;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { type: 'or', operands };
  }

  private parseAnd(): OpathNode {
    const operands = [this.parseUnary()];
    while (this.isOperator('and')) {
      this.index++;
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0] : { type: 'and', operands };
  }

  private parseUnary(): OpathNode {
    if (this.isOperator('not')) {
      const position = this.peek().position;
      this.index++;
      this.enter(position);
      const operand = this.parseUnary();
      this.depth--;
      return { type: 'not', operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): OpathNode {
    const token = this.next();
    if (token.kind === 'lparen') {
      this.enter(token.position);
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'rparen') throw new OpathSyntaxError("expected ')'", close.position);
      this.depth--;
      return inner;
    }
    if (token.kind !== 'word' || !PROPERTY_NAME.test(token.text)) {
      throw new OpathSyntaxError('expected a property name', token.position);
    }
    const operatorToken = this.next();
    if (operatorToken.kind !== 'operator' || !isComparison(operatorToken.name)) {
      throw new OpathSyntaxError(
        `expected a comparison operator (${OPATH_OPERATORS.map((o) => `-${o}`).join(', ')})`,
        operatorToken.position,
      );
    }
    return {
      type: 'comparison',
      property: token.text,
      operator: operatorToken.name,
      value: this.parseValue(),
    };
  }

  private parseValue(): OpathValue {
    const token = this.next();
    switch (token.kind) {
      case 'quoted':
        return { kind: 'string', value: token.text };
      case 'word':
        return { kind: 'string', value: token.text };
      case 'variable':
        if (token.name === 'true' || token.name === 'false')
          return { kind: 'bool', value: token.name === 'true' };
        if (token.name === 'null') return { kind: 'null' };
        throw new OpathSyntaxError(`unknown variable $${token.name}`, token.position);
      case 'lparen':
      case 'rparen':
      case 'end':
      case 'operator':
        throw new OpathSyntaxError('expected a value', token.position);
    }
  }

  private isOperator(name: string): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.name === name;
  }

  private enter(position: number): void {
    if (++this.depth > MAX_NESTING)
      throw new OpathSyntaxError(`nested more than ${MAX_NESTING} levels deep`, position);
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }
}

function isComparison(name: string): name is OpathOperator {
  return (OPATH_OPERATORS as readonly string[]).includes(name);
}

function collectProperties(node: OpathNode, into: { property: string }[]): void {
  switch (node.type) {
    case 'and':
    case 'or':
      node.operands.forEach((operand) => collectProperties(operand, into));
      return;
    case 'not':
      collectProperties(node.operand, into);
      return;
    case 'comparison':
      into.push({ property: node.property });
      return;
  }
}

/**
 * Parses the OPATH subset easgate uses: `Prop -eq|-ne|-like|-notlike|-gt|-ge|-lt|-le <value>`,
 * `-and`, `-or`, `-not`, parentheses; values in single or double quotes (a doubled quote escapes
 * itself), bare words, `$true`, `$false`, `$null`. Property names are kept as written.
 */
export function parseOpathFilter(
  text: string,
  options: OpathParseOptions = {},
): Result<OpathNode, OpathError> {
  if (text.length > MAX_OPATH_FILTER_LENGTH)
    return fail([
      {
        code: OpathErrorCode.Syntax,
        message: `Invalid filter syntax: longer than ${MAX_OPATH_FILTER_LENGTH} characters.`,
        position: MAX_OPATH_FILTER_LENGTH,
      },
    ]);
  let node: OpathNode;
  try {
    node = new Parser(tokenize(text)).parse();
  } catch (error) {
    if (error instanceof OpathSyntaxError) {
      return fail([
        {
          code: OpathErrorCode.Syntax,
          message: `Invalid filter syntax: ${error.message} at position ${error.position}.`,
          position: error.position,
        },
      ]);
    }
    throw error;
  }
  if (options.filterableProperties) {
    const allowed = new Set(options.filterableProperties.map((p) => p.toLowerCase()));
    const used: { property: string }[] = [];
    collectProperties(node, used);
    const unknown = used.find((u) => !allowed.has(u.property.toLowerCase()));
    if (unknown) {
      return fail([
        {
          code: OpathErrorCode.UnknownProperty,
          message: `'${unknown.property}' is not a recognized filterable property. Filterable properties: ${options.filterableProperties.join(', ')}.`,
          position: Math.max(0, text.indexOf(unknown.property)),
        },
      ]);
    }
  }
  return ok(node);
}
