import { describe, expect, it } from 'vitest';
import { signSigV4, signingKey } from '../../src/verify/sigv4.js';

// AWS's published SigV4 test suite ("aws-sig-v4-test-suite"): credentials AKIDEXAMPLE, region
// us-east-1, service "service", 2015-08-30T12:36:00Z, host example.amazonaws.com.
const suite = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  date: new Date('2015-08-30T12:36:00Z'),
};
const credential = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('signSigV4', () => {
  it.each<{
    name: string;
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string;
    signed: string;
    signature: string;
  }>([
    {
      name: 'get-vanilla',
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      headers: {},
      body: '',
      signed: 'host;x-amz-date',
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
    {
      name: 'post-vanilla',
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: {},
      body: '',
      signed: 'host;x-amz-date',
      signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    },
    {
      name: 'post-x-www-form-urlencoded',
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
      signed: 'content-type;host;x-amz-date',
      signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    },
  ])('matches the $name vector', ({ method, url, headers, body, signed, signature }) => {
    const out = signSigV4({ ...suite, method, url: new URL(url), headers, body });
    expect(out['x-amz-date']).toBe('20150830T123600Z');
    expect(out.authorization).toBe(
      `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=${signed}, Signature=${signature}`,
    );
  });

  it('derives the documented signing key (IAM example, 2012-02-15)', () => {
    const key = signingKey(
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      '20120215',
      'us-east-1',
      'iam',
    );
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });
});
