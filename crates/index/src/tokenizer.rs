//! The tantivy adapter for `chorus-text`'s analyzer, and the lowercase keyword tokenizer of label fields.

use chorus_text::{Analyzer, Tokens};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// The name under which [`ChorusTokenizer`] is registered: comment text is indexed and queried with it.
pub const TEXT_TOKENIZER: &str = "chorus_en";
/// The name of the tokenizer of label fields (service, theme, id…): the whole value, lowercased, so that
/// `service:"urgent care"` matches "Urgent Care".
pub const LABEL_TOKENIZER: &str = "chorus_label";

/// [`Analyzer::english`] as a tantivy tokenizer.
///
/// Stop words are skipped but keep their positions, so a phrase query sees the gap ("waited for ages" does
/// not match "waited ages"); offsets are those of the original text.
#[derive(Clone, Debug)]
pub struct ChorusTokenizer {
    analyzer: Analyzer,
    tokens: Tokens,
    token: Token,
}

impl ChorusTokenizer {
    /// The tokenizer around [`Analyzer::english`].
    pub fn english() -> ChorusTokenizer {
        ChorusTokenizer {
            analyzer: Analyzer::english(),
            tokens: Tokens::new(),
            token: Token::default(),
        }
    }
}

impl Tokenizer for ChorusTokenizer {
    type TokenStream<'a> = ChorusTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChorusTokenStream<'a> {
        self.analyzer.analyze_into(text, &mut self.tokens);
        self.token.reset();
        ChorusTokenStream {
            tokens: &self.tokens,
            next: 0,
            token: &mut self.token,
        }
    }
}

/// The content tokens of one text, in tantivy's form.
#[derive(Debug)]
pub struct ChorusTokenStream<'a> {
    tokens: &'a Tokens,
    next: usize,
    token: &'a mut Token,
}

impl TokenStream for ChorusTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(token) = self.tokens.get(self.next) {
            self.next += 1;
            if token.stop {
                continue;
            }
            self.token.text.clear();
            self.token.text.push_str(&token.term);
            self.token.offset_from = token.start;
            self.token.offset_to = token.end;
            self.token.position = token.position as usize;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The tokenizers a store's index needs, registered under [`TEXT_TOKENIZER`] and [`LABEL_TOKENIZER`].
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(TEXT_TOKENIZER, ChorusTokenizer::english());
    manager.register(LABEL_TOKENIZER, label_analyzer());
}

/// The label tokenizer on its own, to build query terms exactly as they were indexed.
pub(crate) fn label_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// A label value as it is indexed: trimmed and lowercased.
pub(crate) fn label_term(value: &str) -> String {
    let mut analyzer = label_analyzer();
    let mut stream = analyzer.token_stream(value.trim());
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, &str)> {
        let mut tokenizer = ChorusTokenizer::english();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((
                t.text.clone(),
                t.position,
                &text[t.offset_from..t.offset_to],
            ));
        }
        out
    }

    #[test]
    fn stop_words_are_skipped_but_keep_their_positions() {
        assert_eq!(
            tokens("I waited for the Doctor"),
            [
                ("wait".to_owned(), 1, "waited"),
                ("doctor".to_owned(), 4, "Doctor")
            ]
        );
    }

    #[test]
    fn offsets_slice_the_original_words() {
        let text = "Nurse’s attitude ﬁne; ＳＴＡＦＦ great!!😊 2hrs";
        let originals: Vec<&str> = tokens(text).into_iter().map(|t| t.2).collect();
        assert_eq!(
            originals,
            [
                "Nurse’s",
                "attitude",
                "ﬁne",
                "ＳＴＡＦＦ",
                "great",
                "😊",
                "2",
                "hrs"
            ]
        );
    }

    #[test]
    fn labels_are_lowercased_whole() {
        assert_eq!(label_term("  Urgent Care 111 "), "urgent care 111");
        assert_eq!(label_term(""), "");
    }
}
