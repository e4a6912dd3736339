import { BadRequestException, Body, Controller, Injectable, Post } from '@nestjs/common';
import * as vm from 'vm';
import * as yaml from 'js-yaml';
import { unserialize } from 'node-serialize';
import * as libxmljs from 'libxmljs2';
import { XMLParser } from 'fast-xml-parser';

// package.json pins: js-yaml 3.14.1, node-serialize 0.0.4, libxmljs2 0.33

// e.g. "cart.total >= 100" or "cart.items > 3"
const SIMPLE_CONDITION = /^cart\.[a-zA-Z]{1,32}\s*(>=|<=|>|<|===)\s*\d{1,9}(\.\d{1,2})?$/;

export interface Rule {
  id: string;
  when: string;
  discountPct: number;
}

@Injectable()
export class RulesService {
  evaluateLegacy(rule: Rule, cart: Record<string, unknown>): boolean {
    const check = new Function('cart', `return ${rule.when};`); // VULN: code-injection
    return Boolean(check(cart));
  }

  evaluateSandboxed(rule: Rule, cart: Record<string, unknown>): boolean {
    return Boolean(vm.runInNewContext(rule.when, { cart }, { timeout: 20 })); // VULN: code-injection
  }

  evaluate(rule: Rule, cart: Record<string, number>): boolean {
    if (!SIMPLE_CONDITION.test(rule.when)) throw new BadRequestException('unsupported condition');
    const check = new Function('cart', `return ${rule.when};`); // SAFE: code-injection
    return Boolean(check(cart));
  }

  computeTotal(formula: string, vars: Record<string, number>): number {
    return eval(`(function (v) { with (v) { return ${formula}; } })`)(vars); // VULN: code-injection
  }

  parseRules(jsonText: string): Rule[] {
    const parsed = JSON.parse(jsonText); // SAFE: code-injection
    if (!Array.isArray(parsed)) throw new BadRequestException();
    return parsed.map((r) => ({ id: String(r.id), when: String(r.when), discountPct: Number(r.discountPct) }));
  }

  describe(rule: Rule): string {
    const render = new Function('r', 'return "Rule " + r.id + ": " + r.discountPct + "% off";'); // SAFE: code-injection
    return render(rule);
  }

  importYaml(text: string): Rule[] {
    return yaml.load(text) as Rule[]; // VULN: deserialization
  }

  importYamlSafe(text: string): Rule[] {
    return yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA }) as Rule[]; // SAFE: deserialization
  }

  importYamlSafeLoad(text: string): Rule[] {
    return yaml.safeLoad(text) as Rule[]; // SAFE: deserialization
  }

  restoreDraft(blob: string): Rule {
    return unserialize(Buffer.from(blob, 'base64').toString('utf8')) as Rule; // VULN: deserialization
  }

  restoreDraftJson(blob: string): Rule {
    return JSON.parse(Buffer.from(blob, 'base64').toString('utf8')) as Rule; // SAFE: deserialization
  }

  importXml(xml: string): Rule[] {
    const doc = libxmljs.parseXml(xml, { noent: true, dtdload: true }); // VULN: xxe
    return doc.find('//rule').map((n) => ({ id: n.attr('id')?.value() ?? '', when: n.text(), discountPct: 0 }));
  }

  importXmlSafe(xml: string): Rule[] {
    const data = new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(xml); // SAFE: xxe
    return (data.rules?.rule ?? []).map((n: { '@_id': string; '#text': string }) => ({ id: n['@_id'], when: n['#text'], discountPct: 0 }));
  }
}

@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post('check')
  check(@Body() body: { rule: Rule; cart: Record<string, number>; engine?: string }) {
    if (body.engine === 'legacy') return this.rules.evaluateLegacy(body.rule, body.cart);
    if (body.engine === 'vm') return this.rules.evaluateSandboxed(body.rule, body.cart);
    return this.rules.evaluate(body.rule, body.cart);
  }

  @Post('total')
  total(@Body() body: { formula: string; vars: Record<string, number> }) {
    return this.rules.computeTotal(body.formula, body.vars);
  }

  @Post('import')
  import(@Body() body: { format: 'json' | 'yaml' | 'yaml-strict' | 'xml' | 'xml-strict'; payload: string }) {
    switch (body.format) {
      case 'yaml':
        return this.rules.importYaml(body.payload);
      case 'yaml-strict':
        return this.rules.importYamlSafe(body.payload);
      case 'xml':
        return this.rules.importXml(body.payload);
      case 'xml-strict':
        return this.rules.importXmlSafe(body.payload);
      default:
        return this.rules.parseRules(body.payload);
    }
  }

  @Post('draft/restore')
  restore(@Body('blob') blob: string) {
    return this.rules.restoreDraft(blob);
  }

  @Post('draft/restore/v2')
  restoreV2(@Body('blob') blob: string) {
    return this.rules.restoreDraftJson(blob);
  }
}
